package org.passaparola.analysis;

import java.util.List;
import org.apache.lucene.analysis.en.EnglishAnalyzer;
import org.apache.lucene.analysis.it.ItalianAnalyzer;
import org.elasticsearch.index.analysis.PreBuiltAnalyzerProviderFactory;
import org.elasticsearch.indices.analysis.PreBuiltCacheFactory.CachingStrategy;
import org.elasticsearch.plugins.AnalysisPlugin;
import org.elasticsearch.plugins.Plugin;

/**
 * The "italian" and "english" analyzers for the local test node of Passaparola.
 *
 * The Elasticsearch distribution on Maven Central (integ-test-zip) leaves out the
 * analysis-common module, which is where these analyzers are registered in a full
 * distribution. Lucene's own ItalianAnalyzer and EnglishAnalyzer ship in the zip's lib/,
 * and they are what the full distribution's analyzers of the same names build with their
 * default settings, so mappings that say "analyzer": "italian" behave the same on the
 * local node and on the official image. Only the prebuilt analyzers are provided, not the
 * configurable analyzer types (custom stop words, stem exclusions).
 */
public class LanguageAnalysisPlugin extends Plugin implements AnalysisPlugin {
    @Override
    public List<PreBuiltAnalyzerProviderFactory> getPreBuiltAnalyzerProviderFactories() {
        return List.of(
            new PreBuiltAnalyzerProviderFactory("italian", CachingStrategy.LUCENE, ItalianAnalyzer::new),
            new PreBuiltAnalyzerProviderFactory("english", CachingStrategy.LUCENE, EnglishAnalyzer::new));
    }
}
