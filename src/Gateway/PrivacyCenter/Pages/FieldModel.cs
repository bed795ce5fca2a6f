namespace PrimeDirective.Gateway.PrivacyCenter.Pages;

/// <summary>One labelled form field, with its hint and its error shown (and announced) next to it.</summary>
/// <param name="Name">The form field's name (also its id).</param>
/// <param name="Label">The visible label.</param>
/// <param name="Value">The value to show.</param>
/// <param name="Error">What is wrong with it, if anything.</param>
/// <param name="Type">The input type.</param>
/// <param name="Hint">Help shown under the label.</param>
/// <param name="Autocomplete">The autocomplete token.</param>
public sealed record FieldModel(string Name, string Label, string? Value, string? Error, string Type = "text", string? Hint = null, string? Autocomplete = null)
{
    public string DescribedBy => string.Join(' ', new[] { Hint is null ? null : Name + "-hint", Error is null ? null : Name + "-error" }.OfType<string>());
}
