package io.nexodus.bench.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The simulator at a smoke size, for real: it starts the all-in-one on a PostgreSQL of its own, registers 30 agents
 * (two restart: 409 → PATCH), opens their streams, edits the security group and PATCHes endpoints, restarts the
 * all-in-one and has the fleet resume by revision. It fails when the run fails (an agent not registered or not
 * connected, a change not delivered to every agent, a resume that replays). Its figures mean nothing at this size;
 * it keeps the tool from rotting. {@code -Dnexodus.benchmark.smoke.skip=true} leaves it out, as the system benchmark's.
 */
class FleetSmokeTest {

    @Test
    void aSmallFleetRegistersConnectsHearsEveryChangeAndResumesByRevision() throws Exception {
        if (Boolean.getBoolean("nexodus.benchmark.smoke.skip")) {
            System.out.println("FleetSmokeTest: SKIPPED, NOT PASSED (-Dnexodus.benchmark.smoke.skip=true)");
            return;
        }
        Path jar = Path.of(System.getProperty("nexodus.fleet.local-jar", "../../deploy/local/target/quarkus-app/quarkus-run.jar"));
        assertTrue(Files.isRegularFile(jar), "the all-in-one is packaged before this module (" + jar + ")");
        Fleet.Result result = Fleet.run(Fleet.Options.parse("--agents=30", "--restarts=2", "--changes=2", "--idle-seconds=3",
                "--app-jvm=-Xmx512m", "--local-jar=" + jar));
        System.out.println(result.report());
        assertEquals(java.util.List.of(), result.failures(), "the fleet run failed");
        // the report carries each phase, so a phase silently skipped shows here
        for (String phase : new String[] {"### register", "### connect", "### idle", "### changes", "### list", "### reconnect"}) {
            assertTrue(result.report().contains(phase), "the report has the phase " + phase);
        }
    }
}
