package io.nexodus.ops;

import io.fabric8.knative.client.KnativeClient;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * nexodus-ops: the Knative Services of an install, for an operator. Uses the current kubeconfig context
 * (as kubectl does). Exit codes: 0 ok, 1 not ready / timed out / no such Service, 2 usage error,
 * 3 cluster unreachable, 4 Knative missing, 5 refused by the cluster.
 */
@Command(name = "nexodus-ops", mixinStandardHelpOptions = true, version = "nexodus-ops 0.1.0",
        description = "Status, scaling and readiness of the Nexodus Functions Knative Services.",
        subcommands = {Ops.Status.class, Ops.Scale.class, Ops.Wait.class})
public final class Ops {

    @Option(names = {"-n", "--namespace"}, defaultValue = "nexodus", description = "namespace (default: ${DEFAULT-VALUE})",
            scope = CommandLine.ScopeType.INHERIT)
    String namespace;

    final Supplier<KubernetesClient> clients;

    Ops(Supplier<KubernetesClient> clients) {
        this.clients = clients;
    }

    public static void main(String[] args) {
        System.exit(run(() -> new KubernetesClientBuilder().build(), new PrintWriter(System.out, true),
                new PrintWriter(System.err, true), args));
    }

    static int run(Supplier<KubernetesClient> clients, PrintWriter out, PrintWriter err, String... args) {
        CommandLine cli = new CommandLine(new Ops(clients));
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionExceptionHandler((e, line, parsed) -> {
            String master = "the cluster";
            try (KubernetesClient c = clients.get()) {
                master = c.getMasterUrl().toString();
            } catch (RuntimeException ignored) {
                // the message below is what matters
            }
            var problem = ClusterProblem.of(e, master);
            line.getErr().println("error: " + problem.map(ClusterProblem::message).orElse(String.valueOf(e.getMessage())));
            return problem.map(ClusterProblem::exitCode).orElse(1);
        });
        return cli.execute(args);
    }

    @Command(name = "status", description = "Each Service: ready, latest ready revision, traffic, pods, URL, why not ready.")
    static final class Status implements Callable<Integer> {
        @CommandLine.ParentCommand
        Ops parent;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;
        @Option(names = {"-o", "--output"}, defaultValue = "table", description = "table or json")
        String output;

        @Override
        public Integer call() {
            try (KubernetesClient client = parent.clients.get()) {
                List<ServiceStatus> services = new StatusReader(client, parent.namespace).all();
                PrintWriter out = spec.commandLine().getOut();
                switch (output) {
                    case "json" -> out.print(StatusView.json(services));
                    case "table" -> out.print(services.isEmpty() ? "no Knative Services in namespace " + parent.namespace + "\n"
                            : StatusView.table(services));
                    default -> throw new CommandLine.ParameterException(spec.commandLine(), "-o must be table or json");
                }
                out.flush();
                return services.stream().allMatch(ServiceStatus::ready) && !services.isEmpty() ? 0 : 1;
            }
        }
    }

    @Command(name = "scale", description = "Set a Service's min-scale/max-scale (template annotations: a new revision).")
    static final class Scale implements Callable<Integer> {
        @CommandLine.ParentCommand
        Ops parent;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;
        @Parameters(index = "0", description = "the function's Service, e.g. register-device")
        String service;
        @Option(names = "--min", description = "min-scale (0 = may scale to zero)")
        Integer min;
        @Option(names = "--max", description = "max-scale (mind the database budget, deploy/README.md)")
        Integer max;

        @Override
        public Integer call() {
            if (min == null && max == null) {
                throw new CommandLine.ParameterException(spec.commandLine(), "give --min, --max or both");
            }
            if ((min != null && min < 0) || (max != null && max < 1)) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--min must be >= 0 and --max >= 1");
            }
            try (KubernetesClient client = parent.clients.get()) {
                var services = client.adapt(KnativeClient.class).services().inNamespace(parent.namespace);
                var current = services.withName(service).get();
                if (current == null) {
                    spec.commandLine().getErr().println("error: no Knative Service " + service + " in namespace " + parent.namespace);
                    return 1;
                }
                ServiceStatus before = new StatusReader(client, parent.namespace).of(current);
                int newMin = min != null ? min : before.minScale();
                int newMax = max != null ? max : before.maxScale();
                if (newMax != 0 && newMin > newMax) {
                    throw new CommandLine.ParameterException(spec.commandLine(), "min-scale " + newMin + " > max-scale " + newMax);
                }
                services.withName(service).edit(s -> {
                    var annotations = s.getSpec().getTemplate().getMetadata().getAnnotations();
                    annotations.put(StatusReader.MIN_SCALE, String.valueOf(newMin));
                    annotations.put(StatusReader.MAX_SCALE, String.valueOf(newMax));
                    return s;
                });
                spec.commandLine().getOut().println(service + ": min-scale " + before.minScale() + " -> " + newMin + ", max-scale "
                        + before.maxScale() + " -> " + newMax + " (a new revision rolls out; `nexodus-ops wait` follows it)");
                return 0;
            }
        }
    }

    @Command(name = "wait", description = "Wait until every Service is ready, printing progress.")
    static final class Wait implements Callable<Integer> {
        @CommandLine.ParentCommand
        Ops parent;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;
        @Option(names = "--timeout", defaultValue = "PT10M", converter = DurationConverter.class,
                description = "how long at most, e.g. 5m, 90s, PT10M (default 10m)")
        Duration timeout;
        @Option(names = "--interval", defaultValue = "PT2S", converter = DurationConverter.class, hidden = true)
        Duration interval;

        @Override
        public Integer call() throws InterruptedException {
            PrintWriter out = spec.commandLine().getOut();
            long deadline = System.nanoTime() + timeout.toNanos();
            String last = null;
            try (KubernetesClient client = parent.clients.get()) {
                StatusReader reader = new StatusReader(client, parent.namespace);
                while (true) {
                    List<ServiceStatus> services = reader.all();
                    List<ServiceStatus> waiting = services.stream().filter(s -> !s.ready()).toList();
                    String line = (services.size() - waiting.size()) + "/" + services.size() + " ready"
                            + (waiting.isEmpty() ? "" : "; waiting for " + String.join(", ", waiting.stream()
                                    .map(s -> s.name() + " (" + s.reason() + ")").toList()));
                    if (!line.equals(last)) {
                        out.println(line);
                        out.flush();
                        last = line;
                    }
                    if (!services.isEmpty() && waiting.isEmpty()) {
                        return 0;
                    }
                    if (System.nanoTime() > deadline) {
                        spec.commandLine().getErr().println("error: not ready after " + timeout + ": " + line);
                        return 1;
                    }
                    Thread.sleep(interval.toMillis());
                }
            }
        }
    }

    /** 10m, 90s, 1h, or ISO-8601 (PT10M). */
    static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            String v = value.trim();
            if (v.toUpperCase().startsWith("PT")) {
                return Duration.parse(v.toUpperCase());
            }
            return Duration.parse("PT" + v.toUpperCase());
        }
    }
}
