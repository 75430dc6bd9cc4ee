package io.askflow.launcher;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaCall;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The layering rules of docs/architecture.md, checked on the compiled main classes of every module.
 * Here because the launcher's class path holds every module: a rule checked where a module is
 * missing would pass without looking at it.
 */
class ArchitectureTest {
    /** The service modules, by their root package. */
    private static final Map<String, String> SERVICES = Map.of(
            "gateway", "io.askflow.gateway..",
            "context-builder", "io.askflow.context..",
            "model-caller", "io.askflow.model..",
            "tool-runner", "io.askflow.tools..");

    private static JavaClasses classes;

    @BeforeAll
    static void importMainClasses() {
        classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.askflow");
    }

    /** Every rule below passes vacuously on a class path that lost a module, so the modules are counted first. */
    @Test
    void everyModuleIsImported() {
        Set<String> present = classes.stream().map(JavaClass::getName).collect(Collectors.toSet());
        assertThat(present).contains(
                "io.askflow.kafka.KafkaClients", "io.askflow.db.Database", "io.askflow.openai.OpenAiClients",
                "io.askflow.gateway.Main", "io.askflow.context.Main", "io.askflow.model.Main", "io.askflow.tools.Main",
                "io.askflow.client.AskflowClient", "io.askflow.embedded.EmbeddedKafka",
                "io.askflow.knowledge.text.HtmlText", "io.askflow.launcher.GroupReadiness");
        assertThat(present).noneMatch(name -> name.endsWith("Test") || name.endsWith("IT"));
    }

    @Test
    void noServiceDependsOnAnotherService() {
        for (Map.Entry<String, String> service : SERVICES.entrySet()) {
            String[] others = SERVICES.entrySet().stream()
                    .filter(other -> !other.getKey().equals(service.getKey()))
                    .map(Map.Entry::getValue)
                    .toArray(String[]::new);
            noClasses().that().resideInAPackage(service.getValue())
                    .should().dependOnClassesThat().resideInAnyPackage(others)
                    .as("no class of " + service.getKey() + " depends on another service module")
                    .check(classes);
        }
    }

    /**
     * The documented boundary of {@code io.askflow.kafka.internal} is its module ("not for use
     * outside common"): {@code io.askflow.service.Startup}, in common, asks it what is transient.
     * So an internal class may be used from anywhere in its own module and nowhere else.
     */
    @Test
    void internalPackagesAreUsedOnlyInTheirModule() {
        classes().should(useInternalClassesOnlyFromTheirOwnModule())
                .check(classes);
        // The condition finds the uses it allows: without them it could be looking at nothing.
        assertThat(classes.get("io.askflow.kafka.Runner").getDirectDependenciesFromSelf())
                .anyMatch(d -> d.getTargetClass().getPackageName().equals("io.askflow.kafka.internal"));
    }

    @Test
    void kafkaClientsAreBuiltOnlyInKafkaClients() {
        // embedded sits below common and builds the admin client that creates its topics (decision 26).
        noClasses().that().doNotHaveFullyQualifiedName("io.askflow.kafka.KafkaClients")
                .and().resideOutsideOfPackage("io.askflow.embedded..")
                .should().callCodeUnitWhere(buildsAKafkaClient())
                .check(classes);
    }

    @Test
    void openAiClientsAreBuiltOnlyInOpenAiClients() {
        noClasses().that().doNotHaveFullyQualifiedName("io.askflow.openai.OpenAiClients")
                .should().dependOnClassesThat().resideInAPackage("com.openai.client.okhttp..")
                .because("OpenAiClients turns the SDK's retries off and takes endpoint, key and timeout from Settings")
                .check(classes);
    }

    @Test
    void httpServersAreOpenedOnlyWhereTheIdleLimitIsRaised() {
        // The local model's module sits below common and raises the limit itself; the test kit's servers are tests'.
        noClasses().that().doNotHaveFullyQualifiedName("io.askflow.service.HttpServers")
                .and().doNotHaveFullyQualifiedName("io.askflow.localmodel.ChatCompletionsServer")
                .and().resideOutsideOfPackage("io.askflow.testkit..")
                .should().callMethod(com.sun.net.httpserver.HttpServer.class, "create", java.net.InetSocketAddress.class, int.class)
                .orShould().callMethod(com.sun.net.httpserver.HttpServer.class, "create")
                .because("the JDK closes keep-alive connections over 200 idle ones silently unless HttpServers raised the limit first")
                .check(classes);
    }

    @Test
    void connectionPoolsAreBuiltOnlyInDatabase() {
        noClasses().that().resideOutsideOfPackage("io.askflow.db")
                .should().callConstructorWhere(buildsAPool())
                .because("Database.pool queues borrowers fairly and runs Flyway (decision 42)")
                .check(classes);
    }

    private static DescribedPredicate<JavaCall<?>> buildsAKafkaClient() {
        List<String> clients = List.of("org.apache.kafka.clients.producer.KafkaProducer",
                "org.apache.kafka.clients.consumer.KafkaConsumer");
        List<String> admins = List.of("org.apache.kafka.clients.admin.Admin", "org.apache.kafka.clients.admin.AdminClient");
        return DescribedPredicate.describe("build a Kafka producer, consumer or admin client", call -> {
            JavaClass owner = call.getTargetOwner();
            return clients.stream().anyMatch(owner::isAssignableTo) && call.getName().equals("<init>")
                    || admins.contains(owner.getName()) && call.getName().equals("create");
        });
    }

    private static DescribedPredicate<JavaCall<?>> buildsAPool() {
        return DescribedPredicate.describe("build a JDBC data source or Hikari configuration", call -> {
            JavaClass owner = call.getTargetOwner();
            return owner.isAssignableTo("javax.sql.DataSource") || owner.isAssignableTo("com.zaxxer.hikari.HikariConfig");
        });
    }

    private static ArchCondition<JavaClass> useInternalClassesOnlyFromTheirOwnModule() {
        return new ArchCondition<>("use askflow's internal packages only from their own module") {
            @Override
            public void check(JavaClass origin, ConditionEvents events) {
                for (Dependency d : origin.getDirectDependenciesFromSelf()) {
                    JavaClass target = d.getTargetClass();
                    boolean internal = target.getPackageName().startsWith("io.askflow.")
                            && List.of(target.getPackageName().split("\\.")).contains("internal");
                    if (internal && !module(target).equals(module(origin))) {
                        events.add(SimpleConditionEvent.violated(d, d.getDescription()
                                + " (from " + module(origin) + " into " + module(target) + ")"));
                    }
                }
            }
        };
    }

    /** Where a class was loaded from, less its own path: a module's classes directory or jar. */
    private static String module(JavaClass c) {
        String uri = c.getSource().map(s -> s.getUri().toString()).orElse("?");
        String own = c.getName().replace('.', '/') + ".class";
        return uri.endsWith(own) ? uri.substring(0, uri.length() - own.length()) : uri;
    }
}
