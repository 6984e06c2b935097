package io.pgherd.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.spi.ToolProvider;

import org.junit.jupiter.api.Test;

/**
 * No two packages of the proxy depend on each other, directly or through others: the root package
 * wires the sub-packages together and no sub-package reaches back. The dependencies are the
 * compiled classes' own, as the JDK's {@code jdeps} reads them, so an import, a fully qualified
 * name or a nested type all count.
 */
class ProxyPackagesTest {
    private static final String ROOT = "io.pgherd.proxy";

    @Test
    void noPackageCycles() throws URISyntaxException {
        Map<String, Set<String>> edges = packageDependencies();
        assertThat(edges).as("jdeps found the proxy's packages").containsKeys(ROOT, ROOT + ".session");
        assertThat(cycles(edges)).as("package cycles (each: packages that reach one another), in " + edges).isEmpty();
    }

    @Test
    void cyclesAreFoundWhereverTheyClose() {
        Map<String, Set<String>> edges = Map.of("a", Set.of("b"), "b", Set.of("c"), "c", Set.of("a", "d"),
                "d", Set.of(), "e", Set.of("a", "d"));
        assertThat(cycles(edges)).containsExactly(Set.of("a", "b", "c"));
        assertThat(cycles(Map.of("a", Set.of("b"), "b", Set.of("c"), "d", Set.of("a")))).isEmpty();
    }

    /** Package → the other proxy packages its classes use, from {@code jdeps -verbose:package}. */
    private static Map<String, Set<String>> packageDependencies() throws URISyntaxException {
        Path classes = Path.of(ProxyServer.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        ToolProvider jdeps = ToolProvider.findFirst("jdeps").orElseThrow();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = jdeps.run(new PrintWriter(out), new PrintWriter(err), "-verbose:package", "-filter:none",
                "-e", ROOT.replace(".", "\\.") + "(\\..*)?", classes.toString());
        assertThat(status).as("jdeps: " + err).isZero();
        Map<String, Set<String>> edges = new TreeMap<>();
        for (String line : out.toString().split("\n")) {
            // "   io.pgherd.proxy.admin   -> io.pgherd.proxy.backend   classes"
            String[] words = line.trim().split("\\s+");
            if (words.length >= 3 && words[1].equals("->") && isProxyPackage(words[0]) && isProxyPackage(words[2])
                    && !words[0].equals(words[2])) {
                edges.computeIfAbsent(words[0], p -> new TreeSet<>()).add(words[2]);
            }
        }
        return edges;
    }

    private static boolean isProxyPackage(String name) {
        return name.equals(ROOT) || name.startsWith(ROOT + ".");
    }

    /** The strongly connected components of more than one package (Tarjan's algorithm). */
    static List<Set<String>> cycles(Map<String, Set<String>> edges) {
        Map<String, Integer> index = new HashMap<>();
        Map<String, Integer> low = new HashMap<>();
        Deque<String> stack = new ArrayDeque<>();
        List<Set<String>> found = new ArrayList<>();
        for (String p : edges.keySet()) {
            if (!index.containsKey(p)) {
                connect(p, edges, index, low, stack, found);
            }
        }
        return found;
    }

    private static void connect(String p, Map<String, Set<String>> edges, Map<String, Integer> index,
            Map<String, Integer> low, Deque<String> stack, List<Set<String>> found) {
        index.put(p, index.size());
        low.put(p, index.get(p));
        stack.push(p);
        for (String q : edges.getOrDefault(p, Set.of())) {
            if (!index.containsKey(q)) {
                connect(q, edges, index, low, stack, found);
                low.put(p, Math.min(low.get(p), low.get(q)));
            } else if (stack.contains(q)) {
                low.put(p, Math.min(low.get(p), index.get(q)));
            }
        }
        if (low.get(p).equals(index.get(p))) {
            Set<String> component = new TreeSet<>();
            String q;
            do {
                q = stack.pop();
                component.add(q);
            } while (!q.equals(p));
            if (component.size() > 1) {
                found.add(component);
            }
        }
    }
}
