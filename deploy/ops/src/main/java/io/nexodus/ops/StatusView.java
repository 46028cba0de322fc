package io.nexodus.ops;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/** The status as a table for people or as JSON for scripts (one object per Service, stable keys). */
final class StatusView {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private StatusView() {
    }

    static String table(List<ServiceStatus> services) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"SERVICE", "READY", "PODS", "SCALE", "LATEST READY", "TRAFFIC", "URL", "REASON"});
        for (ServiceStatus s : services) {
            String pods = s.actualPods() == null ? "-" : s.actualPods() + "/" + (s.desiredPods() == null ? "?" : s.desiredPods())
                    + (s.scaledToZero() ? " (zero)" : "");
            String scale = s.minScale() + ".." + (s.maxScale() == 0 ? "∞" : s.maxScale());
            String traffic = s.traffic().stream().map(t -> t.revision() + "=" + t.percent() + "%").collect(Collectors.joining(","));
            rows.add(new String[] {s.name(), s.ready() ? "True" : "False", pods, scale, nz(s.latestReadyRevision()),
                    traffic.isEmpty() ? "-" : traffic, nz(s.url()), s.reason() == null ? "" : s.reason()});
        }
        int[] widths = new int[rows.get(0).length];
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        StringBuilder out = new StringBuilder();
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.length; i++) {
                line.append(i == row.length - 1 ? row[i] : String.format("%-" + (widths[i] + 2) + "s", row[i]));
            }
            out.append(line.toString().stripTrailing()).append('\n');
        }
        return out.toString();
    }

    static String json(List<ServiceStatus> services) {
        ArrayNode array = JSON.createArrayNode();
        for (ServiceStatus s : services) {
            ObjectNode o = array.addObject();
            o.put("name", s.name());
            o.put("ready", s.ready());
            o.put("latestReadyRevision", s.latestReadyRevision());
            o.put("latestCreatedRevision", s.latestCreatedRevision());
            ArrayNode traffic = o.putArray("traffic");
            s.traffic().forEach(t -> traffic.addObject().put("revision", t.revision()).put("percent", t.percent()).put("latest", t.latest()));
            if (s.actualPods() == null) {
                o.putNull("actualPods");
            } else {
                o.put("actualPods", s.actualPods());
            }
            if (s.desiredPods() == null) {
                o.putNull("desiredPods");
            } else {
                o.put("desiredPods", s.desiredPods());
            }
            o.put("scaledToZero", s.scaledToZero());
            o.put("minScale", s.minScale());
            o.put("maxScale", s.maxScale());
            o.put("url", s.url());
            o.put("reason", s.reason());
        }
        try {
            return JSON.writeValueAsString(array) + "\n";
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String nz(String s) {
        return s == null ? "-" : s;
    }
}
