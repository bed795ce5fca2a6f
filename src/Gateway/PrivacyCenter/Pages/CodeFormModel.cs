namespace PrimeDirective.Gateway.PrivacyCenter.Pages;

/// <summary>The code entry form: the address the code went to, and what was wrong with the last try.</summary>
public sealed record CodeFormModel(string Email, string? Error);
