using PrimeDirective.Grains.Interfaces.Stats;
using PrimeDirective.Grains.Stats;

namespace PrimeDirective.Grains.Tests.Stats;

/// <summary>How a day's ε is split, what one cluster-day can change, and the margin version labels need.</summary>
public sealed class PrivacyBudgetTests
{
    [Fact]
    public void The_fixed_shares_cover_every_statistic_once_and_add_up_to_the_days_epsilon()
    {
        Assert.Equal(StatsStatistics.All, PrivacyBudget.Shares.Select(share => share.Statistic));
        Assert.Equal(1.0, PrivacyBudget.Shares.Sum(share => share.Share), precision: 12);

        var budget = PrivacyBudget.Of(new StatsOptions { EpsilonPerDay = 0.8 }, 100, 500);

        Assert.Equal(0.8, budget.Sum(entry => entry.Epsilon), precision: 12);
        Assert.All(budget, entry => Assert.Equal(0.8 * PrivacyBudget.Shares.Single(share => share.Statistic == entry.Statistic).Share, entry.Epsilon, precision: 12));
    }

    [Fact]
    public void Database_kinds_multiply_the_scale_by_four_and_sums_by_their_bound()
    {
        var budget = PrivacyBudget.Of(new StatsOptions { K = 7 }, appsBound: 40, jobsBound: 90).ToDictionary(entry => entry.Statistic);

        Assert.Equal(4, budget[StatsStatistics.Databases].Sensitivity);
        Assert.Equal(40, budget[StatsStatistics.WorkloadApps].Sensitivity);
        Assert.Equal(90, budget[StatsStatistics.WorkloadJobs].Sensitivity);
        Assert.All(
            new[] { StatsStatistics.Versions, StatsStatistics.VersionsOther, StatsStatistics.Hosts, StatsStatistics.WorkloadClusters },
            statistic => Assert.Equal(1, budget[statistic].Sensitivity));

        // Buckets are shown from k; sums with their bucket; version labels from k plus their margin.
        Assert.Equal(7, budget[StatsStatistics.Hosts].Threshold);
        Assert.Null(budget[StatsStatistics.WorkloadApps].Threshold);
        Assert.Equal(7 + PrivacyBudget.LabelMargin(budget[StatsStatistics.Versions].Epsilon, 1e-6), budget[StatsStatistics.Versions].Threshold);
    }

    [Theory]
    [InlineData(0.3, 1e-6)]
    [InlineData(0.05, 1e-6)]
    [InlineData(2.0, 1e-9)]
    [InlineData(1.0, 1e-3)]
    public void A_label_below_k_is_named_with_probability_at_most_delta_and_the_margin_is_the_least_that_does_it(double epsilon, double delta)
    {
        var margin = PrivacyBudget.LabelMargin(epsilon, delta);

        // P(noise ≥ j) = p^j / (1 + p) for discrete Laplace noise of scale 1/ε; a label of k-1 clusters needs noise ≥ margin + 1.
        var p = Math.Exp(-epsilon);
        var atLeast = (Func<long, double>)(j => Math.Pow(p, j) / (1 + p));
        Assert.True(atLeast(margin + 1) <= delta, $"P(noise ≥ {margin + 1}) = {atLeast(margin + 1)} > δ");
        Assert.True(margin == 0 || atLeast(margin) > delta, $"a margin of {margin - 1} would do");
    }

    [Fact]
    public void With_a_huge_epsilon_the_margin_is_nothing()
    {
        Assert.Equal(0, PrivacyBudget.LabelMargin(300_000, 1e-6));
    }
}
