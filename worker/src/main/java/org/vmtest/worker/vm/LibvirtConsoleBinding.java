package org.vmtest.worker.vm;

import com.sun.jna.Library;
import com.sun.jna.Native;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import org.libvirt.Domain;
import org.libvirt.Stream;
import org.libvirt.jna.DomainPointer;
import org.libvirt.jna.Libvirt;
import org.libvirt.jna.StreamPointer;
import org.libvirt.jna.virError;

/**
 * The one libvirt call libvirt-java 0.5.4 lacks: {@code virDomainOpenConsole}, bound through JNA to the same
 * {@code libvirt.so} libvirt-java itself loads ("virt"), so the domain and stream handles it takes are the very
 * objects libvirt-java made.
 *
 * <p>Those handles are package-private in libvirt-java ({@code Domain.vdp}, {@code Stream.getVsp()}): this class is
 * the one place that reaches them, by reflection (the libvirt jar is on the class path, in the unnamed module, so
 * {@code setAccessible} is allowed). A libvirt-java that renamed them fails in {@link #load()}, which
 * {@link Hypervisor#open} calls: the worker refuses to start, naming what is missing, instead of failing every job.
 */
final class LibvirtConsoleBinding {
    private static final Virt LIB = Native.load("virt", Virt.class);
    private static final Field DOMAIN_POINTER = field(Domain.class, "vdp");
    private static final Method STREAM_POINTER = method(Stream.class, "getVsp");

    private LibvirtConsoleBinding() {
    }

    /** Binds the call and finds the two handles now; a {@link LinkageError} names what is missing. */
    static void load() {
        // nothing to do: reaching this method ran the static initialisation above
    }

    /** The C signature: {@code int virDomainOpenConsole(virDomainPtr, const char *dev_name, virStreamPtr, unsigned int)}. */
    private interface Virt extends Library {
        int virDomainOpenConsole(DomainPointer domain, String devName, StreamPointer stream, int flags);
    }

    /**
     * Connects {@code stream} to the domain's first console (its serial port). libvirtd opens the pty on its side
     * (in raw mode) and relays the bytes over the connection: this process never opens a terminal.
     *
     * @throws VmStartException with libvirt's message when libvirt refuses
     */
    static void openConsole(Domain domain, Stream stream) throws VmStartException {
        int rc = LIB.virDomainOpenConsole(domainPointer(domain), null, streamPointer(stream), 0);
        if (rc < 0) {
            virError error = Libvirt.INSTANCE.virGetLastError();
            throw new VmStartException("libvirt cannot open the domain's console: "
                    + (error == null ? "no error given" : error.message));
        }
    }

    private static DomainPointer domainPointer(Domain domain) {
        try {
            return (DomainPointer) DOMAIN_POINTER.get(domain);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("cannot read Domain.vdp", e);
        }
    }

    private static StreamPointer streamPointer(Stream stream) {
        try {
            return (StreamPointer) STREAM_POINTER.invoke(stream);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot call Stream.getVsp()", e);
        }
    }

    private static Field field(Class<?> type, String name) {
        try {
            Field f = type.getDeclaredField(name);
            f.setAccessible(true);
            return f;
        } catch (NoSuchFieldException e) {
            throw new ExceptionInInitializerError("this libvirt-java has no " + type.getName() + "." + name
                    + ": the console binding needs the version the worker was built with (0.5.4)");
        }
    }

    private static Method method(Class<?> type, String name) {
        try {
            Method m = type.getDeclaredMethod(name);
            m.setAccessible(true);
            return m;
        } catch (NoSuchMethodException e) {
            throw new ExceptionInInitializerError("this libvirt-java has no " + type.getName() + "." + name
                    + "(): the console binding needs the version the worker was built with (0.5.4)");
        }
    }
}
