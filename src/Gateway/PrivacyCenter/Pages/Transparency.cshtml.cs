using Microsoft.AspNetCore.Mvc;
using PrimeDirective.Gateway.Transparency;
using PrimeDirective.Grains.Interfaces.Transparency;

namespace PrimeDirective.Gateway.PrivacyCenter.Pages;

/// <summary>The public transparency report, as <c>GET /v1/transparency</c> answers it: one section per closed half-year, newest first.</summary>
public sealed class TransparencyModel : PrivacyPageModel
{
    /// <summary>The closed half-years, newest first.</summary>
    public IReadOnlyList<TransparencyHalfYear> HalfYears { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync()
    {
        var report = await Desk<TransparencyDesk>().ReportAsync();
        HalfYears = [.. report.HalfYears.Reverse()];
        return Page();
    }

    /// <summary>A half-year as people read it.</summary>
    public static string Title(TransparencyHalfYear half)
    {
        ArgumentNullException.ThrowIfNull(half);
        return string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{half.From:MMMM yyyy} to {half.To:MMMM yyyy}");
    }

    /// <summary>A median of days, or a dash when nothing completed.</summary>
    public static string Median(double? days) => days is { } value ? value.ToString("0.#", System.Globalization.CultureInfo.InvariantCulture) : "—";
}
