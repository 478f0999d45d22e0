# dfopt itself: compiled with Debian's toolchain in one stage, shipped with
# only its run-time libraries in the next. `dfopt build -t dfopt .` builds it
# with dfopt's own builder (the base images imported from a Debian root file
# system, see docs/build.md); `docker build -t dfopt .` works as well.
FROM debian:12 AS build
# Debian stable's point releases are the pin: its packages change only for fixes.
# hadolint ignore=DL3008
RUN apt-get update && apt-get install -y --no-install-recommends \
        autoconf \
        automake \
        build-essential \
        check \
        libarchive-dev \
        libcjson-dev \
        libpcre2-dev \
        libssl-dev \
        libyaml-dev \
        pkg-config \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN autoreconf -fi && ./configure && make -j"$(nproc)" dfopt dfopt-build && make install-strip DESTDIR=/out

FROM debian:12-slim
# hadolint ignore=DL3008
RUN apt-get update && apt-get install -y --no-install-recommends \
        libarchive13 \
        libcjson1 \
        libpcre2-8-0 \
        libssl3 \
        libyaml-0-2 \
    && rm -rf /var/lib/apt/lists/*
COPY --from=build /out/usr/local /usr/local
USER 65534:65534
ENTRYPOINT ["dfopt"]
CMD ["--help"]
