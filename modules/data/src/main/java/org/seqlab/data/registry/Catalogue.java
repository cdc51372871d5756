package org.seqlab.data.registry;

/**
 * What {@code data.source: NAME} can reach: the registry's entries and the cache that holds
 * their files.
 */
public record Catalogue(Registry registry, DatasetCache cache) {
    /** This installation's registry and the cache the environment names ($SEQLAB_CACHE, $SEQLAB_OFFLINE). */
    public static Catalogue fromEnvironment(boolean offline) {
        return new Catalogue(Registry.load(), DatasetCache.fromEnvironment(offline, Downloader.defaults()));
    }
}
