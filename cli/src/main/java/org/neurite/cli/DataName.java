package org.neurite.cli;

import java.util.Locale;

/** The real data sets: MNIST digits and SpamAssassin e-mails. */
enum DataName {
    MNIST, SPAM;

    String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    static DataName parse(String name) {
        for (DataName d : values()) if (d.id().equals(name.toLowerCase(Locale.ROOT))) return d;
        throw new UsageException("unknown data set '" + name + "'; expected mnist or spam");
    }
}
