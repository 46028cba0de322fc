package io.nexodus.bench.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
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
                "the side VPC holds 40 live rows and 40 registered events for 40 registrations"}) {
            assertTrue(result.report().contains(figure), "the report has " + figure);
        }
    }
}
