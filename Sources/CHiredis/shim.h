#ifndef MIMIR_CHIREDIS_SHIM_H
#define MIMIR_CHIREDIS_SHIM_H
#include <hiredis/hiredis.h>
#endif
