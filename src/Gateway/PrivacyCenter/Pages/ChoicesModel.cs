namespace PrimeDirective.Gateway.PrivacyCenter.Pages;

/// <summary>A group of checkboxes (or radio buttons) under one legend, with its error shown (and announced) next to it.</summary>
/// <param name="Name">The form field's name; each option's id is the name and its value.</param>
/// <param name="Legend">The visible legend.</param>
/// <param name="Options">The values offered.</param>
/// <param name="Selected">The values checked.</param>
/// <param name="Error">What is wrong, if anything.</param>
/// <param name="Radio">Radio buttons (one value) instead of checkboxes.</param>
public sealed record ChoicesModel(string Name, string Legend, IReadOnlyList<string> Options, IReadOnlyCollection<string> Selected, string? Error, bool Radio = false)
{
    /// <summary>An option's element id.</summary>
    public string IdOf(string option) => $"{Name.Replace('.', '-')}-{option}";
}

/// <summary>A labelled multi-line field with its error next to it.</summary>
/// <param name="Name">The form field's name (also its id).</param>
/// <param name="Label">The visible label.</param>
/// <param name="Value">The value to show.</param>
/// <param name="Error">What is wrong with it, if anything.</param>
/// <param name="Rows">Visible rows.</param>
public sealed record AreaModel(string Name, string Label, string? Value, string? Error, int Rows = 4);
