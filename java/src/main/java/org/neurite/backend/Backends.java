package org.neurite.backend;

import org.slf4j.LoggerFactory;
import org.slf4j.helpers.NOPLoggerFactory;

/**
 * Chooses the backend once per JVM: native where {@code libneurite} loads, else the pure-Java
 * one, with one log line saying why. {@code -Dneurite.backend=java} or {@code =native}
 * forces a choice; forcing native where it cannot load is an error rather than a silent
 * fallback. The native classes (and JavaCPP) are loaded by name, only when native is tried.
 *
 * <pre>{@code
 * Backend backend = Backends.get();   // what Sequential uses unless given another
 * System.out.println(backend.name()); // "native" or "java"
 * }</pre>
 */
public final class Backends {
    public static final String PROPERTY = "neurite.backend";
    /**
     * One line to the application's SLF4J logger "org.neurite", or, where no SLF4J provider is
     * bound, to java.lang.System.Logger, so that the line is never dropped. The logger is only
     * looked up when there is something to say.
     */
    static void warn(String message) {
        if (LoggerFactory.getILoggerFactory() instanceof NOPLoggerFactory) {
            System.getLogger("org.neurite").log(System.Logger.Level.WARNING, message);
        } else {
            LoggerFactory.getLogger("org.neurite").warn(message);
        }
    }

    private Backends() {}

    private static volatile Backend chosen;

    /**
     * The backend chosen for this JVM. A bad {@code -Dneurite.backend} throws an
     * {@link IllegalArgumentException} naming the accepted values, on this call and every later
     * one until it is fixed (nothing is cached from a failed choice).
     */
    public static Backend get() {
        Backend b = chosen;
        if (b == null) {
            synchronized (Backends.class) {
                if ((b = chosen) == null) chosen = b = Chosen.choose();
            }
        }
        return b;
    }

    /** The pure-Java backend, always available. */
    public static Backend java() {
        return JavaBackend.INSTANCE;
    }

    /** The native backend; throws {@link UnsupportedOperationException} with the reason if it cannot load. */
    public static Backend nativeBackend() {
        if (NativeLoad.FAILURE instanceof IllegalArgumentException settings) throw settingsError(settings);
        if (NativeLoad.FAILURE != null) {
            throw new UnsupportedOperationException("native backend unavailable: " + describe(NativeLoad.FAILURE),
                    NativeLoad.FAILURE);
        }
        return NativeLoad.BACKEND;
    }

    public static boolean nativeAvailable() {
        return NativeLoad.FAILURE == null;
    }

    // A wrong setting (an unknown NEURITE_MAX_ISA, say) is the user's to fix, never a reason to
    // fall back quietly: every use of the backend reports it.
    private static IllegalArgumentException settingsError(IllegalArgumentException cause) {
        return new IllegalArgumentException("Neurite: " + cause.getMessage(), cause);
    }

    private static String describe(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) root = root.getCause();
        return root.getClass().getSimpleName() + ": " + root.getMessage();
    }

    private static final class Chosen {
        private static Backend choose() {
            String forced = System.getProperty(PROPERTY, "").trim().toLowerCase(java.util.Locale.ROOT);
            switch (forced) {
                case "java":
                    return JavaBackend.INSTANCE;
                case "native":
                    return nativeBackend();
                case "":
                    if (nativeAvailable()) return NativeLoad.BACKEND;
                    if (NativeLoad.FAILURE instanceof IllegalArgumentException settings) throw settingsError(settings);
                    warn("Neurite: native backend unavailable (" + describe(NativeLoad.FAILURE) + "); using the pure-Java backend");
                    return JavaBackend.INSTANCE;
                default:
                    throw new IllegalArgumentException("-D" + PROPERTY + " must be java or native, got '" + forced + "'");
            }
        }
    }

    private static final class NativeLoad {
        static final Backend BACKEND;
        static final Throwable FAILURE;

        static {
            Backend backend = null;
            Throwable failure = null;
            try {
                backend = (Backend) Class.forName("org.neurite.backend.NativeBackend").getDeclaredConstructor().newInstance();
            } catch (java.lang.reflect.InvocationTargetException e) { // the constructor refused the settings
                failure = e.getCause();
            } catch (Throwable t) { // UnsatisfiedLinkError, NoClassDefFoundError, a foreign OS...
                failure = t;
            }
            BACKEND = backend;
            FAILURE = failure;
        }
    }
}
