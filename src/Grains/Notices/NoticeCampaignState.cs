using PrimeDirective.Grains.Interfaces.Notices;

namespace PrimeDirective.Grains.Notices;

/// <summary>A declared campaign and the regions whose fan-out has confirmed it started.</summary>
public sealed class NoticeCampaignState
{
    public NoticeCampaign? Campaign { get; set; }

    public string? DeclaredBy { get; set; }

    public List<string> StartedRegions { get; set; } = [];
}
