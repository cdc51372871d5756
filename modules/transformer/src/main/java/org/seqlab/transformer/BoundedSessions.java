package org.seqlab.transformer;

import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.internal.InferenceSession;
import org.nd4j.autodiff.samediff.internal.memory.ArrayCacheMemoryMgr;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * SameDiff execution sessions whose native memory is bounded and can be given back. Three things
 * in SameDiff M2.1 made a training run's resident memory climb by gigabytes:
 * <ul>
 *   <li>{@code calculateGradientsAndOutputs} turns the gradient function's array cache off, and with
 *       it every release: each step's activations and gradients (hundreds of MB) stay allocated until
 *       the Java GC happens to collect their small wrappers. The model therefore executes the
 *       gradient function itself, with releases on ({@link TransformerModel}).</li>
 *   <li>The array cache keeps up to a quarter of JavaCPP's {@code maxbytes} per session; here it
 *       gets an explicit cap ({@link #CACHE_BYTES}), enough for a step's working set to be reused.</li>
 *   <li>Each session remembers the id of every array it ever released ({@code freedArrays}), a heap
 *       leak of a few hundred ids per step; ids are never reused, so the set is cleared per run.</li>
 * </ul>
 * Sessions are made per SameDiff instance and thread; {@link #release} frees the cached arrays of
 * every session of an instance when its model is closed.
 */
final class BoundedSessions {
    /** The most bytes one session keeps cached for reuse between steps. */
    static final long CACHE_BYTES = 512L << 20;

    /** Every session made, weakly (SameDiff holds them); matched by identity, as SameDiff's hashCode changes with its contents. */
    private static final List<WeakReference<Session>> SESSIONS = new ArrayList<>();

    private BoundedSessions() {}

    /** Makes every SameDiff session in this JVM a bounded one (idempotent). */
    static synchronized void install() {
        if (SameDiff.getInferenceFactory() instanceof Factory) return;
        SameDiff.bindInferenceFactory(new Factory());
    }

    /** Gives back the cached arrays of every session of {@code sd}; the instance must not be run again. */
    static void release(SameDiff sd) {
        for (Session s : sessionsOf(sd, true)) s.getMmgr().close();
    }

    /** Bytes held in the caches of {@code sd}'s sessions (for tests). */
    static long cachedBytes(SameDiff sd) {
        return sessionsOf(sd, false).stream().mapToLong(s -> ((ArrayCacheMemoryMgr) s.getMmgr()).getCurrentCacheSize()).sum();
    }

    private static synchronized List<Session> sessionsOf(SameDiff sd, boolean remove) {
        List<Session> found = new ArrayList<>();
        for (Iterator<WeakReference<Session>> it = SESSIONS.iterator(); it.hasNext(); ) {
            Session s = it.next().get();
            if (s == null || (s.graph() == sd && remove)) it.remove();
            if (s != null && s.graph() == sd) found.add(s);
        }
        return found;
    }

    private static final class Factory implements org.nd4j.autodiff.samediff.InferenceFactory {
        @Override
        public InferenceSession create(SameDiff sameDiff) {
            Session s = new Session(sameDiff);
            synchronized (BoundedSessions.class) {
                SESSIONS.removeIf(r -> r.get() == null);
                SESSIONS.add(new WeakReference<>(s));
            }
            return s;
        }
    }

    private static final class Session extends InferenceSession {
        Session(SameDiff sd) {
            super(sd);
            ArrayCacheMemoryMgr cache = new ArrayCacheMemoryMgr();
            cache.setMaxCacheBytes(CACHE_BYTES);
            setMmgr(cache);
        }

        SameDiff graph() {
            return sameDiff;
        }

        @Override
        protected Map<String, INDArray> preprocessPlaceholders(Map<String, INDArray> placeholders,
                                                               org.nd4j.autodiff.listeners.At at) {
            freedArrays.clear();
            return super.preprocessPlaceholders(placeholders, at);
        }
    }
}
