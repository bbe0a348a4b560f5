// Loads ontologies with the OWL API (the library Protégé uses) from document IRIs (file: or http:, following
// content negotiation and redirects as the OWL API does) and checks each against the OWL 2 DL profile.
// Usage: java -cp OWLAPI_CLASSPATH OwlApiLoad.java IRI...
// Prints one tab-separated line per IRI: LOADED, IRI, ontology IRI, version IRI, axiom count, format, DL (true or
// false); then one VIOLATION line per OWL 2 DL profile violation; or ERROR, IRI, message when loading failed.

import org.semanticweb.owlapi.apibinding.OWLManager;
import org.semanticweb.owlapi.model.IRI;
import org.semanticweb.owlapi.model.OWLOntology;
import org.semanticweb.owlapi.model.OWLOntologyID;
import org.semanticweb.owlapi.model.OWLOntologyManager;
import org.semanticweb.owlapi.profiles.OWL2DLProfile;
import org.semanticweb.owlapi.profiles.OWLProfileReport;
import org.semanticweb.owlapi.profiles.OWLProfileViolation;

public class OwlApiLoad {
    public static void main(String[] args) {
        for (String document : args) {
            try {
                OWLOntologyManager manager = OWLManager.createOWLOntologyManager();
                OWLOntology ontology = manager.loadOntologyFromOntologyDocument(IRI.create(document));
                OWLOntologyID id = ontology.getOntologyID();
                OWLProfileReport report = new OWL2DLProfile().checkOntology(ontology);
                System.out.println(String.join("\t", "LOADED", document,
                        id.getOntologyIRI().map(IRI::toString).orElse(""),
                        id.getVersionIRI().map(IRI::toString).orElse(""),
                        Integer.toString(ontology.getAxiomCount()),
                        manager.getOntologyFormat(ontology).getKey(),
                        Boolean.toString(report.isInProfile())));
                for (OWLProfileViolation violation : report.getViolations()) {
                    System.out.println("VIOLATION\t" + document + "\t" + violation.toString().replace('\n', ' '));
                }
            } catch (Exception error) {
                System.out.println("ERROR\t" + document + "\t" + String.valueOf(error).replace('\n', ' '));
            }
        }
    }
}
