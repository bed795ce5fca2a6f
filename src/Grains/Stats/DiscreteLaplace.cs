using System.Buffers.Binary;
using System.Security.Cryptography;

namespace PrimeDirective.Grains.Stats;

/// <summary>Uniform random integers: the only randomness the noise reads.</summary>
public interface IRandomSource
{
    /// <summary>A uniform integer in [0, <paramref name="exclusiveMax"/>).</summary>
    long NextInt64(long exclusiveMax);
}

/// <summary>The operating system's cryptographic generator, without modulo bias.</summary>
public sealed class CryptoRandomSource : IRandomSource
{
    public static readonly CryptoRandomSource Instance = new();

    public long NextInt64(long exclusiveMax)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(exclusiveMax, 1);

        // Values below the largest multiple of the range are accepted: each residue equally often.
        var limit = long.MaxValue - (long.MaxValue % exclusiveMax);
        Span<byte> bytes = stackalloc byte[sizeof(ulong)];
        while (true)
        {
            RandomNumberGenerator.Fill(bytes);
            var value = (long)(BinaryPrimitives.ReadUInt64LittleEndian(bytes) >> 1);
            if (value < limit)
            {
                return value % exclusiveMax;
            }
        }
    }
}

/// <summary>
/// The discrete Laplace (two-sided geometric) distribution on the integers, P(x) ∝ exp(−|x|·s/t), drawn exactly with
/// integer arithmetic only (Canonne, Kamath and Steinke, "The Discrete Gaussian for Differential Privacy", 2020,
/// algorithm 2): no floating point whose rounding could leak the value the noise hides.
/// </summary>
public sealed class DiscreteLaplace(IRandomSource random)
{
    /// <summary>A draw with scale <paramref name="t"/>/<paramref name="s"/> (both positive).</summary>
    public long Sample(long t, long s)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(t, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(s, 1);
        while (true)
        {
            var u = random.NextInt64(t);
            if (!BernoulliExp(u, t))
            {
                continue;
            }

            var v = 0L;
            while (BernoulliExp(1, 1))
            {
                v++;
            }

            var magnitude = checked(u + (t * v)) / s;
            var negative = random.NextInt64(2) == 1;
            if (negative && magnitude == 0)
            {
                continue;
            }

            return negative ? -magnitude : magnitude;
        }
    }

    /// <summary>True with probability exp(−<paramref name="n"/>/<paramref name="d"/>).</summary>
    private bool BernoulliExp(long n, long d)
    {
        // exp(−n/d) = exp(−1)^⌊n/d⌋ · exp(−(n mod d)/d).
        for (var i = 0L; i < n / d; i++)
        {
            if (!BernoulliExpAtMostOne(1, 1))
            {
                return false;
            }
        }

        return BernoulliExpAtMostOne(n % d, d);
    }

    /// <summary>True with probability exp(−γ) for γ = <paramref name="n"/>/<paramref name="d"/> in [0, 1].</summary>
    private bool BernoulliExpAtMostOne(long n, long d)
    {
        var k = 1L;
        while (random.NextInt64(checked(d * k)) < n)
        {
            k++;
        }

        return k % 2 == 1;
    }
}

/// <summary>Where a release's noise comes from (a test injects its own to see what the release decides on).</summary>
public interface IStatsNoise
{
    /// <summary>Noise for one published number of <paramref name="statistic"/>: discrete Laplace with scale sensitivity/ε.</summary>
    long Draw(string statistic, string bucket, long sensitivity, double epsilon);
}

/// <summary>Discrete Laplace noise from the cryptographic generator; ε is taken to a millionth.</summary>
public sealed class DiscreteLaplaceNoise(IRandomSource random) : IStatsNoise
{
    /// <summary>ε and sensitivities become integers in millionths, so the scale is an exact ratio.</summary>
    public const long Resolution = 1_000_000;

    private readonly DiscreteLaplace _sampler = new(random);

    public long Draw(string statistic, string bucket, long sensitivity, double epsilon) =>
        _sampler.Sample(checked(sensitivity * Resolution), Math.Max(1, (long)Math.Round(epsilon * Resolution)));
}
