# syntax=docker/dockerfile:1
#
# Container image of pm-account-stream: one image, the command chosen by the arguments
# (`poll`, `derive`, ...). Build from the repository root:
#
#   docker build -t pm-account-stream:0.1.0 .
#
# The project's own machines have no Docker engine: this recipe is not built or run there.

FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml ./
COPY schemas ./schemas
COPY src/main ./src/main
RUN --mount=type=cache,target=/root/.m2 mvn -B -q -Dmaven.test.skip=true package

FROM eclipse-temurin:17-jre
LABEL org.opencontainers.image.title="pm-account-stream" \
      org.opencontainers.image.description="Binance Portfolio Margin account state as a Kafka event stream"
# A fixed numeric user, so Kubernetes can verify runAsNonRoot without resolving names.
RUN groupadd --system --gid 10001 pmas \
    && useradd --system --uid 10001 --gid 10001 --home-dir /nonexistent --no-create-home \
       --shell /usr/sbin/nologin pmas \
    && mkdir -p /app /var/lib/pm-account-stream/state \
    && chown 10001:10001 /var/lib/pm-account-stream/state
COPY --from=build /src/target/pm-account-stream.jar /app/pm-account-stream.jar
USER 10001:10001
WORKDIR /tmp
# /metrics, /health/live, /health/ready; the app binds loopback unless PMAS_OPS_HTTP_BIND=0.0.0.0.
EXPOSE 8080
ENTRYPOINT ["java","-XX:MaxRAMPercentage=75","-jar","/app/pm-account-stream.jar"]
