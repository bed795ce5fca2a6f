using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using PrimeDirective.Grains.Hosting;
using PrimeDirective.Grains.Stats;

namespace PrimeDirective.Tests.Stats;

/// <summary>
/// The noise: the sampler draws the discrete Laplace distribution (checked statistically on a seeded generator, so the
/// same draws every run: bounds of five standard errors, derived from the distribution, never flake), and the silo
/// draws it from the cryptographic generator.
/// </summary>
public sealed class DiscreteLaplaceTests
{
    private const int Draws = 40_000;

    [Theory]
    [InlineData(3, 1)]
    [InlineData(5, 2)]
    [InlineData(1, 4)]
    [InlineData(4_000_000, 300_000)]
    public void With_a_seeded_generator_the_draws_have_the_mean_variance_and_mass_at_zero_of_the_discrete_Laplace(long t, long s)
    {
        var sampler = new DiscreteLaplace(new SeededRandom(20261207));
        var draws = Enumerable.Range(0, Draws).Select(_ => sampler.Sample(t, s)).ToArray();

        // P(x) = (1-p)/(1+p) · p^|x| with p = exp(-s/t): mean 0, variance 2p/(1-p)², fourth moment summed from the mass.
        var p = Math.Exp(-(double)s / t);
        var mass = (Func<long, double>)(x => (1 - p) / (1 + p) * Math.Pow(p, Math.Abs(x)));
        var variance = 2 * p / ((1 - p) * (1 - p));
        var fourth = Enumerable.Range(-5_000, 10_001).Sum(x => Math.Pow(x, 4) * mass(x));

        var mean = draws.Average(draw => (double)draw);
        Assert.InRange(mean, -5 * Math.Sqrt(variance / Draws), 5 * Math.Sqrt(variance / Draws));

        var sampleVariance = draws.Sum(draw => (draw - mean) * (draw - mean)) / (Draws - 1);
        var varianceError = Math.Sqrt((fourth - (variance * variance)) / Draws);
        Assert.InRange(sampleVariance, variance - (5 * varianceError), variance + (5 * varianceError));

        var zero = mass(0);
        var zeroError = Math.Sqrt(zero * (1 - zero) / Draws);
        Assert.InRange(draws.Count(draw => draw == 0) / (double)Draws, zero - (5 * zeroError), zero + (5 * zeroError));

        // Symmetric: as many draws above zero as below, within five standard errors.
        var half = (1 - zero) / 2;
        var halfError = Math.Sqrt(half * (1 - half) / Draws);
        Assert.InRange(draws.Count(draw => draw > 0) / (double)Draws, half - (5 * halfError), half + (5 * halfError));

        // The seeded generator draws the same again: the bounds above hold for these very draws on every run.
        var again = new DiscreteLaplace(new SeededRandom(20261207));
        Assert.Equal(draws.Take(100), Enumerable.Range(0, 100).Select(_ => again.Sample(t, s)));
    }

    [Fact]
    public void The_cryptographic_generator_draws_every_value_of_its_range_about_equally_often_and_nothing_outside()
    {
        // Not seeded (it cannot be): eight standard errors, a chance below 10^-14 of failing a fair generator.
        const int n = 60_000;
        var counts = new long[3];
        for (var i = 0; i < n; i++)
        {
            counts[CryptoRandomSource.Instance.NextInt64(3)]++;
        }

        var error = Math.Sqrt(n * (1 / 3.0) * (2 / 3.0));
        Assert.All(counts, count => Assert.InRange(count, (n / 3) - (8 * error), (n / 3) + (8 * error)));
        Assert.Equal(0, CryptoRandomSource.Instance.NextInt64(1));
        Assert.Throws<ArgumentOutOfRangeException>(() => CryptoRandomSource.Instance.NextInt64(0));
    }

    [Fact]
    public void A_silo_draws_its_noise_as_discrete_Laplace_from_the_cryptographic_generator()
    {
        using var provider = new ServiceCollection().AddLogging().AddAnonymousData(new ConfigurationBuilder().Build(), connectionString: null).BuildServiceProvider();

        var noise = Assert.IsType<DiscreteLaplaceNoise>(provider.GetRequiredService<IStatsNoise>());

        // Sensitivity 1, ε 1: P(0) = (1 - 1/e)/(1 + 1/e) ≈ 0.46; eight standard errors on 20,000 draws.
        var draws = Enumerable.Range(0, 20_000).Select(_ => noise.Draw("hosts", "1", 1, 1.0)).ToArray();
        var zero = (1 - Math.Exp(-1)) / (1 + Math.Exp(-1));
        var error = Math.Sqrt(zero * (1 - zero) / draws.Length);
        Assert.InRange(draws.Count(draw => draw == 0) / (double)draws.Length, zero - (8 * error), zero + (8 * error));
    }

    /// <summary>System.Random with a fixed seed: deterministic, for the distribution tests only.</summary>
    private sealed class SeededRandom(int seed) : IRandomSource
    {
        private readonly Random _random = new(seed);

        public long NextInt64(long exclusiveMax) => _random.NextInt64(exclusiveMax);
    }
}
