# syntax=docker/dockerfile:1
# Wharf worker image: a static Go build in a golang stage, a small Debian
# runtime (curl for the healthcheck) running as a non-root user.
#   docker build -t wharf .
#   docker run -p 8083:8083 wharf              # standalone, embedded Kafka
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=""
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/wharf ./cmd/wharf

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl \
 && rm -rf /var/lib/apt/lists/* \
 && mkdir -p /var/lib/wharf \
 && chown 65532:65532 /var/lib/wharf
COPY --from=build /out/wharf /usr/local/bin/wharf
COPY configs/ /etc/wharf/
USER 65532:65532
WORKDIR /var/lib/wharf
VOLUME /var/lib/wharf
EXPOSE 8083
HEALTHCHECK --interval=5s --timeout=3s --start-period=10s --retries=12 \
  CMD curl -fsS http://localhost:8083/health || exit 1
ENTRYPOINT ["/usr/local/bin/wharf"]
CMD ["standalone", "--data-dir", "/var/lib/wharf", "/etc/wharf/standalone.properties"]
