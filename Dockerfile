# Gatehouse in a container: one static binary on distroless, as a non-root user.
#
#   docker build --build-arg VERSION=v1.2.3 --build-arg COMMIT=$(git rev-parse HEAD) -t gatehouse .
#
# The image is for a real deployment: it sets DEV_MAILBOX=false, so it stops at
# start-up unless RESEND_API_KEY is set (the dev mailbox answers loopback only,
# which from outside a container is nobody). Probes: GET /healthz and /readyz;
# there is no HEALTHCHECK, as the orchestrator's probes call those.

# Release builds use Go 1.27.3 (see the README, "Continuous integration").
ARG GO_VERSION=1.27.3

FROM golang:${GO_VERSION} AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# The build context has no .git (.dockerignore), so the version and commit
# come in as build arguments; gatehouse --version prints them.
ARG VERSION=dev
ARG COMMIT=unknown
# cmd/gatehouse/dockerfile_test.go runs this line as it stands.
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w -X main.version=${VERSION} -X main.commit=${COMMIT}" -o /out/gatehouse ./cmd/gatehouse
# A data directory the non-root user owns, for the SQLite default.
RUN mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/gatehouse /usr/local/bin/gatehouse
COPY --from=build --chown=65532:65532 /out/data /data
WORKDIR /data
# ADDR on every interface of the container; metrics stay on its loopback
# unless METRICS_ADDR says otherwise (e.g. :9080, reachable from the
# monitoring network only). PostgreSQL via DATABASE_URL for more than one
# instance; otherwise SQLite in the /data volume.
ENV ADDR=:8080 \
    DATABASE_URL=/data/gatehouse.db \
    DEV_MAILBOX=false \
    LOG_FORMAT=json
VOLUME /data
EXPOSE 8080
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/gatehouse"]
