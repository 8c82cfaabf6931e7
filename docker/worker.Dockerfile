# syntax=docker/dockerfile:1
# Worker images: the same worker host, different executor plugins.
#   mimir-aip/worker      (target worker):     PipelineExecution, MLTraining, MLInference, DigitalTwinUpdate
#   mimir-aip/worker-etl  (target worker-etl): the same without MLTraining
#   docker build -f docker/worker.Dockerfile --target worker \
#       --build-arg IMAGE_NAME=mimir-aip/worker:0.1.0 -t mimir-aip/worker:0.1.0 .
# IMAGE_NAME must be the reference the orchestrator starts the image by: each image declares
# itself under that name in /etc/mimir/image.json (`mimir-worker declare`, from the plugins it
# really holds), and scripts/build-images.sh collects the declarations into the orchestrator's
# WORKER_IMAGES ConfigMap (k8s/*/worker-images.json). WORKER_CPU, WORKER_MEMORY, WORKER_SLOTS and
# WORKER_GPUS are what each worker of the image gets (its Job's resources). GPU variant:
# docs/deploy.md.
ARG SWIFT_IMAGE=swift:6.1-bookworm
ARG RUNTIME_IMAGE=debian:bookworm-slim

# --- build: toolchain, C headers, dependencies, sources ------------------------------------------
FROM ${SWIFT_IMAGE} AS toolchain
RUN apt-get update \
    && apt-get install -y --no-install-recommends libhiredis-dev libcurl4-openssl-dev libjansson-dev pkg-config \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Package.swift ./
RUN swift package resolve
COPY Sources Sources
COPY Plugins Plugins
COPY bench bench
COPY Tests Tests

# The worker host.
FROM toolchain AS host
RUN --mount=type=cache,target=/src/.build,id=mimir-swift-release,sharing=locked \
    swift build -c release --product mimir-worker \
    && mkdir -p /out && cp .build/release/mimir-worker /out/

# One stage per plugin: each builds only its own product (the shared build cache makes an
# unchanged plugin a no-op), and lands in the runtime image as its own layer, so a new version of
# one plugin changes one layer.
FROM toolchain AS plugin-pipeline-execution
RUN --mount=type=cache,target=/src/.build,id=mimir-swift-release,sharing=locked \
    swift build -c release --product PipelineExecution \
    && mkdir -p /out && cp .build/release/libPipelineExecution.so /out/

FROM toolchain AS plugin-ml-training
RUN --mount=type=cache,target=/src/.build,id=mimir-swift-release,sharing=locked \
    swift build -c release --product MLTraining \
    && mkdir -p /out && cp .build/release/libMLTraining.so /out/

FROM toolchain AS plugin-ml-inference
RUN --mount=type=cache,target=/src/.build,id=mimir-swift-release,sharing=locked \
    swift build -c release --product MLInference \
    && mkdir -p /out && cp .build/release/libMLInference.so /out/

FROM toolchain AS plugin-digital-twin-update
RUN --mount=type=cache,target=/src/.build,id=mimir-swift-release,sharing=locked \
    swift build -c release --product DigitalTwinUpdate \
    && mkdir -p /out && cp .build/release/libDigitalTwinUpdate.so /out/

# --- runtime: the host, the Swift runtime, no plugins yet --------------------------------------
FROM ${RUNTIME_IMAGE} AS runtime
RUN apt-get update \
    && apt-get install -y --no-install-recommends libhiredis0.14 libcurl4 libjansson4 libxml2 libstdc++6 zlib1g \
        ca-certificates tzdata \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --user-group --home-dir /nonexistent --shell /usr/sbin/nologin mimir \
    && mkdir -p /opt/mimir/plugins /etc/mimir /data && chown mimir:mimir /data
COPY --from=toolchain /usr/lib/swift/linux/*.so /usr/lib/swift/linux/
RUN echo /usr/lib/swift/linux >/etc/ld.so.conf.d/swift.conf && ldconfig
COPY --from=host /out/mimir-worker /usr/local/bin/
ENV MIMIR_PLUGIN_DIR=/opt/mimir/plugins \
    MIMIR_DATA_DIR=/data \
    TMPDIR=/tmp
WORKDIR /tmp
# The orchestrator's Kubernetes backend runs `mimir-worker serve` with the worker's settings in
# the environment (MIMIR_WORKER_ID, MIMIR_WORKER_IMAGE, REDIS_URL from the Secret, ...).
ENTRYPOINT ["mimir-worker"]
CMD ["serve"]

# --- mimir-aip/worker-etl: pipelines, inference, digital twins ----------------------------------
FROM runtime AS worker-etl
ARG IMAGE_NAME=mimir-aip/worker-etl:0.1.0
ARG WORKER_CPU=1
ARG WORKER_MEMORY=1Gi
ARG WORKER_SLOTS=2
ARG WORKER_GPUS=0
COPY --from=plugin-pipeline-execution /out/libPipelineExecution.so /opt/mimir/plugins/
COPY --from=plugin-ml-inference /out/libMLInference.so /opt/mimir/plugins/
COPY --from=plugin-digital-twin-update /out/libDigitalTwinUpdate.so /opt/mimir/plugins/
# Fails the build when a plugin does not load; declares what the image really runs.
RUN mimir-worker plugins --strict \
    && mimir-worker declare --image "$IMAGE_NAME" --slots "$WORKER_SLOTS" --cpu "$WORKER_CPU" \
        --memory "$WORKER_MEMORY" --gpus "$WORKER_GPUS" >/etc/mimir/image.json
ENV MIMIR_WORKER_IMAGE=${IMAGE_NAME}
USER 10001:10001

# --- mimir-aip/worker: every executor ------------------------------------------------------------
FROM runtime AS worker
ARG IMAGE_NAME=mimir-aip/worker:0.1.0
ARG WORKER_CPU=1
ARG WORKER_MEMORY=1Gi
ARG WORKER_SLOTS=2
ARG WORKER_GPUS=0
COPY --from=plugin-pipeline-execution /out/libPipelineExecution.so /opt/mimir/plugins/
COPY --from=plugin-ml-training /out/libMLTraining.so /opt/mimir/plugins/
COPY --from=plugin-ml-inference /out/libMLInference.so /opt/mimir/plugins/
COPY --from=plugin-digital-twin-update /out/libDigitalTwinUpdate.so /opt/mimir/plugins/
RUN mimir-worker plugins --strict \
    && mimir-worker declare --image "$IMAGE_NAME" --slots "$WORKER_SLOTS" --cpu "$WORKER_CPU" \
        --memory "$WORKER_MEMORY" --gpus "$WORKER_GPUS" >/etc/mimir/image.json
ENV MIMIR_WORKER_IMAGE=${IMAGE_NAME}
USER 10001:10001
