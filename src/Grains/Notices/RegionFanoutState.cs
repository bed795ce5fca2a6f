using PrimeDirective.Grains.Interfaces.Notices;

namespace PrimeDirective.Grains.Notices;

/// <summary>One region's durable progress through a campaign: the last subject key done and the counts up to it.</summary>
public sealed class RegionFanoutState
{
    public NoticeCampaign? Campaign { get; set; }

    /// <summary>The last key of the last batch whose outcomes are counted; the next batch starts after it.</summary>
    public string? Cursor { get; set; }

    public long Subjects { get; set; }

    public long Examined { get; set; }

    public long Notified { get; set; }

    public long ShownToOperators { get; set; }

    public long Skipped { get; set; }

    /// <summary>Failures counted by reason before subjects that could not be reached were kept in the failure log (V011) and retried.</summary>
    public Dictionary<string, long> Failed { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Every subject of the list was examined (those that failed are retried from the failure log).</summary>
    public bool Done { get; set; }
}
