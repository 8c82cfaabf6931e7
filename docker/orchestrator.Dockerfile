# syntax=docker/dockerfile:1
# mimir-aip/orchestrator: the orchestrator, mimirctl, and the web console (FRONTEND_DIR).
#   docker build -f docker/orchestrator.Dockerfile -t mimir-aip/orchestrator:0.1.0 .
# (scripts/build-images.sh builds every image; the context is the repository root.)
ARG SWIFT_IMAGE=swift:6.1-bookworm
ARG RUNTIME_IMAGE=debian:bookworm-slim

# --- build: the Swift toolchain, the C libraries' headers, the package's dependencies ---------
FROM ${SWIFT_IMAGE} AS toolchain
RUN apt-get update \
    && apt-get install -y --no-install-recommends libhiredis-dev libcurl4-openssl-dev libjansson-dev pkg-config \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# Dependencies first: this layer is rebuilt only when the manifest changes.
COPY Package.swift ./
RUN swift package resolve
COPY Sources Sources
COPY Plugins Plugins
COPY bench bench
COPY Tests Tests

FROM toolchain AS build
RUN --mount=type=cache,target=/src/.build,id=mimir-swift-release,sharing=locked \
    swift build -c release --product mimir-orchestrator \
    && swift build -c release --product mimirctl \
    && mkdir -p /out \
    && cp .build/release/mimir-orchestrator .build/release/mimirctl /out/

# --- runtime ------------------------------------------------------------------------------------
FROM ${RUNTIME_IMAGE} AS orchestrator
RUN apt-get update \
    && apt-get install -y --no-install-recommends libhiredis0.14 libcurl4 libjansson4 libxml2 libstdc++6 zlib1g \
        ca-certificates tzdata \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --user-group --home-dir /nonexistent --shell /usr/sbin/nologin mimir
# The Swift runtime, where the binaries' RUNPATH (the build image's toolchain) looks for it.
COPY --from=toolchain /usr/lib/swift/linux/*.so /usr/lib/swift/linux/
RUN echo /usr/lib/swift/linux >/etc/ld.so.conf.d/swift.conf && ldconfig
COPY --from=build /out/mimir-orchestrator /out/mimirctl /usr/local/bin/
COPY frontend/index.html /opt/mimir/frontend/
COPY frontend/css /opt/mimir/frontend/css
COPY frontend/js /opt/mimir/frontend/js
ENV FRONTEND_DIR=/opt/mimir/frontend \
    MIMIR_DATA_DIR=/data \
    PORT=8080
USER 10001:10001
WORKDIR /tmp
EXPOSE 8080
ENTRYPOINT ["mimir-orchestrator"]
CMD ["serve"]
