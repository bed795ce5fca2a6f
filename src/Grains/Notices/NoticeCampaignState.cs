using PrimeDirective.Grains.Interfaces.Notices;

namespace PrimeDirective.Grains.Notices;

/// <summary>A declared campaign and the regions whose fan-out has confirmed it started.</summary>
public sealed class NoticeCampaignState
{
    public NoticeCampaign? Campaign { get; set; }

    public string? DeclaredBy { get; set; }

    public List<string> StartedRegions { get; set; } = [];

    /// <summary>A breach's notification of the supervisory authority, once an officer recorded it.</summary>
    public AuthorityNotification? Authority { get; set; }
}

/// <summary>The ids of the breaches declared in a home region, oldest first.</summary>
public sealed class BreachRegisterState
{
    public List<string> Ids { get; set; } = [];
}
