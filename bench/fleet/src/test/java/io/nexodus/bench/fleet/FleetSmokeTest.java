package io.nexodus.bench.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import io.nexodus.testing.Tools;
import org.junit.jupiter.api.Test;

/**
 * The simulator at a smoke size, for real: it starts the all-in-one on a PostgreSQL of its own, registers 30 agents
 * (two restart: 409 → PATCH), opens their streams, edits the security group and PATCHes endpoints, restarts the
 * all-in-one and has the fleet resume by revision; between register and connect, one unmeasured and one measured
 * pair of 10 registrations via the function and 10 issued directly (register-device's statements and IPAM calls
 * from the simulator's process, in a VPC of their own), and in the list phase the full list paired with its query
 * run directly. It fails when the run fails (an agent not registered or not connected, a change not delivered to
 * every agent, a resume that replays, a direct registration that wrote no row or no event, two devices with one
 * address, a direct list that did not read exactly the fleet's devices). Its figures mean nothing at this size;
 * it keeps the tool from rotting. {@code -Dnexodus.benchmark.smoke.skip=true} leaves it out, as the system benchmark's.
 */
class FleetSmokeTest {

    private static final String DIRECT_REGISTRATIONS = "direct: register-device's statements + IPAM calls";

    @Test
    void aSmallFleetRegistersConnectsHearsEveryChangeAndResumesByRevision() throws Exception {
        if (Boolean.getBoolean("nexodus.benchmark.smoke.skip")) {
            System.out.println("FleetSmokeTest: SKIPPED, NOT PASSED (-Dnexodus.benchmark.smoke.skip=true)");
            return;
        }
        Path jar = Path.of(System.getProperty("nexodus.fleet.local-jar", "../../deploy/local/target/quarkus-app/quarkus-run.jar"));
        assertTrue(Files.isRegularFile(jar), "the all-in-one is packaged before this module (" + jar + ")");
        Fleet.Result result = Fleet.run(Fleet.Options.parse("--agents=30", "--restarts=2", "--changes=2", "--idle-seconds=3",
                "--app-jvm=-Xmx512m", "--local-jar=" + jar, "--direct-size=10", "--direct-warmup=1", "--direct-passes=1"));
        System.out.println(result.report());
        assertEquals(java.util.List.of(), result.failures(), "the fleet run failed");
        // the report carries each phase, so a phase silently skipped shows here
        for (String phase : new String[] {"### register:", "### register-device vs direct", "### connect", "### idle", "### changes", "### list", "### reconnect"}) {
            assertTrue(result.report().contains(phase), "the report has the phase " + phase);
        }
        // both ratios were computed from both sides' passes, and the rows checked (a failed check is in failures)
        for (String figure : new String[] {"the same statements + IPAM calls issued directly", "| " + DIRECT_REGISTRATIONS + " | row written: 10 |",
                "its query run directly", "| direct: the full list's query, rows mapped (no JSON) | 30 rows: 5 |",
                "the side VPC holds 40 live rows and 40 registered events for 40 registrations",
                // each side's costliest statements, side by side
                "statements via the function (measured passes): ", "the same, issued directly: "}) {
            assertTrue(result.report().contains(figure), "the report has " + figure);
        }
    }

    /**
     * The same fleet against the deployment's shape: each function in a process of its own behind the real HAProxy
     * running the committed front door (its server lines pointed at local ports), the IPAM server in another. Every
     * request of the run crosses the door and lands on the function the route table names; the reconnect phase
     * restarts fetch-peers alone. Needs haproxy (skipped loudly without it, failed under CI=true).
     */
    @Test
    void theSameFleetWorksWithEachFunctionInItsOwnProcessBehindTheFrontDoor() throws Exception {
        if (Boolean.getBoolean("nexodus.benchmark.smoke.skip")) {
            System.out.println("FleetSmokeTest: SKIPPED, NOT PASSED (-Dnexodus.benchmark.smoke.skip=true)");
            return;
        }
        Tools.require("haproxy", "the fleet behind the real front door");
        Path repo = Path.of(System.getProperty("nexodus.fleet.repo", "../.."));
        Fleet.Result result = Fleet.run(Fleet.Options.parse("--topology=functions", "--repo=" + repo, "--agents=20",
                "--restarts=1", "--changes=1", "--idle-seconds=2",
                // its figures mean nothing: C1 only and the serial collector start a dozen JVMs on two cores faster
                "--app-jvm=-Xmx256m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC", "--direct-size=10",
                "--direct-warmup=0", "--direct-passes=1"));
        System.out.println(result.report());
        assertEquals(java.util.List.of(), result.failures(), "the fleet run failed");
        assertTrue(result.report().contains("### reconnect: fetch-peers restarted"), "the reconnect phase restarted fetch-peers");
        // each process's share is reported; in the register phase register-device and IPAM worked (a route sent
        // to the wrong function would have failed the run above)
        String register = result.report().substring(result.report().indexOf("### register:"), result.report().indexOf("### register-device vs direct"));
        java.util.regex.Matcher line = java.util.regex.Pattern.compile("- by process \\(CPU, RSS at the end\\): (.*)").matcher(register);
        assertTrue(line.find(), "the register phase reports each process:\n" + register);
        java.util.Map<String, Long> cpu = new java.util.HashMap<>();
        for (String each : line.group(1).split(", ")) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("(.+) (\\d+) ms / (\\d+) MiB").matcher(each);
            assertTrue(m.matches(), each);
            cpu.put(m.group(1), Long.parseLong(m.group(2)));
        }
        assertEquals(java.util.Set.of("auth", "devices", "fetch-peers", "join-organization", "organizations", "reg-keys",
                "register-device", "security-groups", "update-device", "users", "vpcs", "ipam", "front door"), cpu.keySet());
        for (String busy : new String[] {"register-device", "ipam"}) {
            assertTrue(cpu.get(busy) > 0, busy + " did the register phase's work: " + line.group(1));
        }
        // the door's share of 21 small requests can be under /proc's 10 ms tick (seen in CI): its own log says what it
        // carried instead. Every registration that created a device (20 agents, 10 in the paired pass) crossed the door
        // to register-device.
        java.util.List<String> created = Files.readAllLines(Path.of("target", "fleet", "front-door", "haproxy.log")).stream()
                .filter(l -> l.contains(" register-device/register-device ") && l.contains(" 201 ") && l.endsWith("\"POST /api/devices HTTP/1.1\""))
                .toList();
        assertEquals(30, created.size(), "registrations through the door to register-device");
    }
}
