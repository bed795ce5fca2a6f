namespace PrimeDirective.Grains.Interfaces.Sharing;

/// <summary>
/// The mail relay as the processors registry sees it: every message to a person (their address, name, one-time codes,
/// notices) passes through it, so it must be a registered processor under a current contract.
/// </summary>
/// <param name="Status">
/// <c>files</c> (neither an SMTP relay nor a relay id is configured: messages are written as files on our own servers);
/// <c>under-contract</c>; or, flagged, <c>not-named</c> (an SMTP relay is used but <c>Outbox:RelayProcessorId</c> names
/// none), <c>not-registered</c>, <c>contract-expired</c>, <c>contract-not-yet-signed</c>. A named relay is judged even
/// where messages are written as files.
/// </param>
/// <param name="ProcessorId">The processor id configuration names, if any.</param>
/// <param name="Processor">Its registry entry, if registered.</param>
[GenerateSerializer, Immutable]
[Alias("PrimeDirective.MailRelayView")]
public sealed record MailRelayView(
    [property: Id(0)] string Status,
    [property: Id(1)] string? ProcessorId,
    [property: Id(2)] ProcessorView? Processor)
{
    /// <summary>Whether officers must act: mail passes through a relay that is not a processor under a current contract.</summary>
    public bool Flagged => Status is not ("files" or "under-contract");
}
