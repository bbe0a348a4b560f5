// Runs Apache Jena SHACL on many (shapes, data) pairs in one JVM, so that a test pays for one start-up.
// Usage: java -cp JENA_CLASSPATH JenaShaclBatch.java MANIFEST
// Each MANIFEST line: OUTPUT<TAB>SHAPES<TAB>DATA[<TAB>DATA...]. OUTPUT receives, as N-Triples, the validation
// report together with the shapes graph, so that a result's blank-node sh:sourceShape can be traced to the shape
// that holds it (blank node labels are only shared within one output).
// A case whose shapes or data Jena refuses writes the error message to OUTPUT.error instead.

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.apache.jena.graph.Graph;
import org.apache.jena.riot.Lang;
import org.apache.jena.riot.RDFDataMgr;
import org.apache.jena.shacl.ShaclValidator;
import org.apache.jena.shacl.Shapes;
import org.apache.jena.shacl.ValidationReport;
import org.apache.jena.sparql.graph.GraphFactory;
import org.apache.jena.sys.JenaSystem;

public class JenaShaclBatch {
    public static void main(String[] args) throws Exception {
        JenaSystem.init();
        List<String> lines = Files.readAllLines(Path.of(args[0]), StandardCharsets.UTF_8);
        int failed = 0;
        for (String line : lines) {
            if (line.isBlank()) {
                continue;
            }
            String[] fields = line.split("\t");
            Path output = Path.of(fields[0]);
            try {
                Graph shapesGraph = RDFDataMgr.loadGraph(fields[1]);
                Graph data = GraphFactory.createDefaultGraph();
                for (int i = 2; i < fields.length; i++) {
                    RDFDataMgr.read(data, fields[i]);
                }
                Shapes shapes = Shapes.parse(shapesGraph);
                ValidationReport report = ShaclValidator.get().validate(shapes, data);
                Graph both = GraphFactory.createDefaultGraph();
                report.getGraph().find().forEachRemaining(both::add);
                shapesGraph.find().forEachRemaining(both::add);
                try (OutputStream out = Files.newOutputStream(output)) {
                    RDFDataMgr.write(out, both, Lang.NTRIPLES);
                }
            } catch (Exception error) {
                failed++;
                Files.writeString(Path.of(fields[0] + ".error"), error.getClass().getName() + ": " + error.getMessage(),
                                  StandardCharsets.UTF_8);
            }
        }
        System.out.println(lines.size() + " cases, " + failed + " refused");
    }
}
