package io.pmaccountstream.tools.schemaregistry;

import io.apicurio.common.apps.config.DynamicConfigPropertyList;
import java.util.List;
import javax.enterprise.context.ApplicationScoped;
import javax.enterprise.inject.Produces;

/**
 * Stands in for {@code apicurio-common-app-components-config-index}, whose Quarkus deployment
 * artifact is not on Maven Central. That extension would index the dynamically changeable config
 * properties at build time; the registry works without dynamic config, so an empty list is enough.
 */
@ApplicationScoped
public class DynamicConfigPropertyListProducer {

  @Produces
  @ApplicationScoped
  DynamicConfigPropertyList dynamicConfigPropertyList() {
    return new DynamicConfigPropertyList(List.of());
  }
}
