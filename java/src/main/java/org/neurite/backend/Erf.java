package org.neurite.backend;

/** The error function, which java.lang.Math lacks. */
final class Erf {
    private Erf() {}

    /**
     * Abramowitz and Stegun 7.1.26: absolute error below 1.5e-7, well under float's
     * resolution of the GELU it serves.
     */
    static double erf(double x) {
        double ax = Math.abs(x);
        double t = 1.0 / (1.0 + 0.3275911 * ax);
        double poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
        double y = 1.0 - poly * Math.exp(-ax * ax);
        return x < 0 ? -y : y;
    }
}
