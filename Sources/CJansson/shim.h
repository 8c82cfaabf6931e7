#ifndef MIMIR_CJANSSON_SHIM_H
#define MIMIR_CJANSSON_SHIM_H
#include <jansson.h>
#endif
