# okrbot in a container: `okrbot run`, the Discord bot with its scheduler and HTTP listener.
#
#   docker build -t okrbot .
#   docker run -d --name okrbot -v okrbot-data:/data -p 127.0.0.1:8088:8088 \
#       -v /srv/okrbot/discord_token:/run/secrets/discord_token:ro \
#       -e DISCORD_TOKEN_FILE=/run/secrets/discord_token okrbot
#
# See deploy/README.md. Works with the classic builder and BuildKit alike.

# --- Build -----------------------------------------------------------------------------------
# The crate's rust-version. Nothing beyond the image's gcc is needed: SQLite is compiled in
# (libsqlite3-sys, bundled) and TLS is rustls on ring (no OpenSSL). The build script only tells
# Cargo to rebuild when a migration is added.
FROM rust:1.94-slim-bookworm AS build
WORKDIR /src

# Dependencies first, in a layer of their own that is rebuilt only when Cargo.toml or Cargo.lock
# change: build them against stub targets. Cargo refuses a manifest whose [[bench]] files are
# missing, so each bench gets a stub too (they are never built by `cargo build`).
COPY Cargo.toml Cargo.lock ./
RUN mkdir -p src benches \
    && echo 'fn main() {}' > src/main.rs \
    && : > src/lib.rs \
    && for bench in $(sed -n '/^\[\[bench\]\]/,/^name/ s/^name = "\(.*\)"/\1/p' Cargo.toml); do \
           echo 'fn main() {}' > "benches/$bench.rs"; \
       done \
    && cargo build --release --locked \
    && rm src/main.rs src/lib.rs

# The crate itself: its sources, the migrations (embedded by sqlx::migrate!) and the chart font
# (include_bytes! of assets/DejaVuSans.ttf).
COPY build.rs ./
COPY src src
COPY migrations migrations
COPY assets assets
# COPY keeps the files' own mtimes, which may be older than the stub build: touch the crate
# roots so Cargo rebuilds the crate instead of taking the stubs for fresh.
RUN touch src/lib.rs src/main.rs \
    && cargo build --release --locked \
    && cp target/release/okrbot /usr/local/bin/okrbot

# --- Run -------------------------------------------------------------------------------------
# No ca-certificates: rustls verifies with the Mozilla roots compiled into the binary
# (webpki-roots, for Discord's REST, its gateway and KPI sources alike), never the system store.
# No tzdata either: team time zones come from chrono-tz's compiled-in database.
FROM debian:bookworm-slim

# A fixed, unprivileged uid/gid (numeric, so `runAsNonRoot` checks can see it). /data belongs to
# it: a new named volume copies this ownership and mode; a bind-mounted directory must be
# chowned to 10001 by hand.
RUN groupadd --system --gid 10001 okrbot \
    && useradd --system --uid 10001 --gid okrbot --home-dir /data --no-create-home \
        --shell /usr/sbin/nologin okrbot \
    && mkdir -p /data /etc/okrbot \
    && chown okrbot:okrbot /data \
    && chmod 0700 /data

COPY --from=build /usr/local/bin/okrbot /usr/local/bin/okrbot

# The database on the volume; the listener on every interface of the container, so that
# `-p` can publish it (the built-in default, 127.0.0.1:8088, is unreachable from outside the
# container); logs at info on stderr (`docker logs`). Each of these overrides the config file;
# change them with `-e`.
ENV OKRBOT_DATABASE_URL=sqlite:///data/okrbot.db \
    OKRBOT_HTTP__LISTEN=0.0.0.0:8088 \
    OKRBOT_LOG=info

WORKDIR /data
VOLUME /data
# KPI readings by push (POST /kpis/<id>/readings) and GET /healthz. Plain HTTP: publish it on
# 127.0.0.1 behind a TLS reverse proxy if anything outside the host pushes readings.
EXPOSE 8088
USER 10001:10001

# `docker stop` sends SIGTERM, which okrbot handles (as PID 1 it must: the kernel ignores
# signals PID 1 has no handler for): it stops taking work, lets the delivery in flight finish,
# closes the gateway and exits 0 within 10 s, Docker's default wait. `--stop-timeout 15` gives
# a little margin.

# There is no curl or wget in the image; bash's /dev/tcp asks GET /healthz instead, on the
# port of OKRBOT_HTTP__LISTEN. /healthz says the process and its listener are alive, not that
# the Discord gateway is connected.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/${OKRBOT_HTTP__LISTEN##*:} && printf 'GET /healthz HTTP/1.1\\r\\nHost: localhost\\r\\nConnection: close\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q ' 200 '"]

# A missing config file is not an error (the built-in defaults stand): mount one at
# /etc/okrbot/okrbot.toml to change settings without -e. Any subcommand can replace `run`,
# e.g. `docker run --rm -v okrbot-data:/data okrbot migrate`.
ENTRYPOINT ["/usr/local/bin/okrbot", "--config", "/etc/okrbot/okrbot.toml"]
CMD ["run"]
