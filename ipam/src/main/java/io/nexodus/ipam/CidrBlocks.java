package io.nexodus.ipam;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/** The free space of a prefix around its child prefixes, as the fewest CIDR blocks. */
final class CidrBlocks {

    private CidrBlocks() {
    }

    /** {@code whole} minus {@code taken} (sorted, non-overlapping, inside {@code whole}). */
    static List<Cidr> free(Cidr whole, List<Cidr> taken) {
        List<Cidr> blocks = new ArrayList<>();
        BigInteger next = whole.network();
        for (Cidr child : taken) {
            if (child.network().compareTo(next) > 0) {
                cover(next, child.network().subtract(BigInteger.ONE), whole.bits(), blocks);
            }
            next = next.max(child.last().add(BigInteger.ONE));
        }
        if (next.compareTo(whole.last()) <= 0) {
            cover(next, whole.last(), whole.bits(), blocks);
        }
        return blocks;
    }

    /** The first block of {@code length} inside {@code parent} that overlaps no child, or null. */
    static Cidr firstFree(Cidr parent, List<Cidr> taken, int length) {
        BigInteger size = BigInteger.ONE.shiftLeft(parent.bits() - length);
        BigInteger candidate = parent.network();
        for (Cidr child : taken) {
            if (candidate.add(size).compareTo(child.network()) <= 0) {
                break;
            }
            BigInteger after = child.last().add(BigInteger.ONE);
            if (after.compareTo(candidate) > 0) {
                candidate = alignUp(after, size);
            }
        }
        return candidate.add(size).subtract(BigInteger.ONE).compareTo(parent.last()) <= 0
                ? new Cidr(candidate, length, parent.bits()) : null;
    }

    private static BigInteger alignUp(BigInteger value, BigInteger size) {
        BigInteger[] qr = value.divideAndRemainder(size);
        return qr[1].signum() == 0 ? value : qr[0].add(BigInteger.ONE).multiply(size);
    }

    private static void cover(BigInteger first, BigInteger last, int bits, List<Cidr> out) {
        while (first.compareTo(last) <= 0) {
            int hostBits = first.signum() == 0 ? bits : first.getLowestSetBit();
            hostBits = Math.min(hostBits, bits);
            while (first.add(BigInteger.ONE.shiftLeft(hostBits)).subtract(BigInteger.ONE).compareTo(last) > 0) {
                hostBits--;
            }
            out.add(new Cidr(first, bits - hostBits, bits));
            first = first.add(BigInteger.ONE.shiftLeft(hostBits));
        }
    }
}
