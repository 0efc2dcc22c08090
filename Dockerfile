# The Rotor container image, for those who build images with Docker (docs/deploying.md, "Container image"):
#
#   docker build -t rotor .
#   docker run -d -p 8000:8000 -v /srv/rotor/config.json:/etc/rotor/config.json:ro rotor
#
# It produces the layout of `bin/package image` (which builds the same image without Docker and without Docker
# Hub, from mmdebstrap's root): the Debian package installed on Debian bookworm, the server running as the rotor
# user with /usr/bin/rotor, its config at /etc/rotor/config.json, port 8000, `rotor health` as the health check.
# Keep the two in step: packaging/image/install-into-root and the `umoci config` call in bin/package.

FROM debian:bookworm AS build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      default-jdk-headless maven dpkg-dev fakeroot ca-certificates \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN bin/package deb \
 && cp target/dist/rotor_*.deb /rotor.deb

FROM debian:bookworm-slim
COPY --from=build /rotor.deb /tmp/rotor.deb
# As install-into-root: install with the maintainer scripts, then drop the generated config (each container makes
# its own secret on first start unless one is mounted) and let the rotor user write /etc/rotor.
RUN printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod 0755 /usr/sbin/policy-rc.d \
 && apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends /tmp/rotor.deb ca-certificates \
 && rm -f /tmp/rotor.deb /usr/sbin/policy-rc.d /etc/rotor/config.json \
 && chown rotor:rotor /etc/rotor \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/* /var/log/*.log
USER rotor
WORKDIR /var/lib/rotor
VOLUME /var/lib/rotor
EXPOSE 8000
ENV ROTOR_JAVA_OPTS=
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 CMD ["/usr/bin/rotor", "health"]
ENTRYPOINT ["/usr/bin/rotor"]
CMD ["--config=/etc/rotor/config.json"]
