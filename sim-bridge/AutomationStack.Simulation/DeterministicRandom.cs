namespace AutomationStack.Simulation;

/// <summary>
/// xoshiro256** (Blackman and Vigna) seeded through SplitMix64. One instance is one independent stream; it never
/// caches values between calls, so the sequence depends only on the seed and the number of draws.
/// </summary>
public sealed class DeterministicRandom
{
    private const int MantissaShift = 11;
    private const double InverseTwoToThe53 = 1.0 / (1UL << 53);
    private const double MinusTwo = -2.0;

    private ulong _s0;
    private ulong _s1;
    private ulong _s2;
    private ulong _s3;

    public DeterministicRandom(ulong seed)
    {
        var sm = seed;
        _s0 = SplitMix64.Next(ref sm);
        _s1 = SplitMix64.Next(ref sm);
        _s2 = SplitMix64.Next(ref sm);
        _s3 = SplitMix64.Next(ref sm);
    }

    /// <summary>Stream for one (world seed, vehicle id, sensor name) triple.</summary>
    public static DeterministicRandom ForStream(ulong worldSeed, string vehicleId, string streamName) =>
        new(worldSeed ^ Fnv1a64.Hash(vehicleId, streamName));

    public ulong NextUInt64()
    {
        var result = RotateLeft(_s1 * 5, 7) * 9;
        var t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> MantissaShift) * InverseTwoToThe53;

    /// <summary>Standard normal draw (Box–Muller, one value per call, two uniforms consumed).</summary>
    public double NextGaussian()
    {
        var u1 = 1.0 - NextDouble(); // (0, 1]: log stays finite
        var u2 = NextDouble();
        return Math.Sqrt(MinusTwo * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    /// <summary>Normal draw with standard deviation <paramref name="sigma"/> (always consumes two uniforms).</summary>
    public double NextGaussian(double sigma) => sigma * NextGaussian();

    private static ulong RotateLeft(ulong x, int k) => (x << k) | (x >> (64 - k));
}

/// <summary>SplitMix64 (Steele, Lea, Flood) used to expand one 64-bit seed into generator state.</summary>
internal static class SplitMix64
{
    private const ulong Increment = 0x9E3779B97F4A7C15UL;
    private const ulong Mix1 = 0xBF58476D1CE4E5B9UL;
    private const ulong Mix2 = 0x94D049BB133111EBUL;

    public static ulong Next(ref ulong state)
    {
        state += Increment;
        var z = state;
        z = (z ^ (z >> 30)) * Mix1;
        z = (z ^ (z >> 27)) * Mix2;
        return z ^ (z >> 31);
    }
}

/// <summary>
/// FNV-1a 64-bit over the UTF-16LE code units of the first string, a two-byte zero separator, then the second
/// string. Stable across processes and platforms, unlike string.GetHashCode.
/// </summary>
internal static class Fnv1a64
{
    private const ulong OffsetBasis = 0xCBF29CE484222325UL;
    private const ulong Prime = 0x100000001B3UL;
    private const int BitsPerByte = 8;
    private const ulong ByteMask = 0xFF;

    public static ulong Hash(string first, string second)
    {
        var h = OffsetBasis;
        h = Append(h, first);
        h = AppendByte(h, 0);
        h = AppendByte(h, 0);
        return Append(h, second);
    }

    private static ulong Append(ulong h, string text)
    {
        foreach (var c in text)
        {
            h = AppendByte(h, c & ByteMask);
            h = AppendByte(h, ((ulong)c >> BitsPerByte) & ByteMask);
        }

        return h;
    }

    private static ulong AppendByte(ulong h, ulong b) => (h ^ b) * Prime;
}
