using PrimeDirective.Grains.Interfaces.Notices;

namespace PrimeDirective.Gateway.PrivacyCenter.Pages.Officer;

/// <summary>A campaign's counts as the breach and policy-version pages show them.</summary>
/// <param name="Caption">The table's caption.</param>
/// <param name="Progress">The counts, as the routes answer them.</param>
public sealed record NoticeProgressModel(string Caption, NoticeProgress Progress);
