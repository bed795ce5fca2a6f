using System.Collections.Immutable;
using System.Globalization;
using PrimeDirective.Gateway.Users;

namespace PrimeDirective.Gateway.Sharing;

/// <summary>What a person's export says about how our messages reach them: through which mail relay, under which contract, carrying what.</summary>
/// <param name="Statement">The same in one sentence.</param>
/// <param name="Relay">The relay's processor id, when a relay is used and named.</param>
/// <param name="RelayName">Its name, when registered.</param>
/// <param name="RelayLocation">Where it holds the data, when registered.</param>
/// <param name="Contract">Its contract's reference, when registered.</param>
/// <param name="ContractEndsAt">When that contract ends.</param>
/// <param name="Carries">What of the person passes through it; empty when no relay is used.</param>
internal sealed record MailRoute(
    string Statement, string? Relay, string? RelayName, string? RelayLocation, string? Contract, DateTimeOffset? ContractEndsAt, ImmutableArray<string> Carries)
{
    private static readonly ImmutableArray<string> s_carried = ["email address", "name", "one-time codes", "notices"];

    /// <summary>The route as the processors registry and the silos' outbox configuration describe it now.</summary>
    public static async Task<MailRoute> ForAsync(IGrainFactory grains, UserGrains users)
    {
        var relay = await SharingEndpoints.Registry(grains, users).MailRelayAsync();
        if (relay.Status == "files")
        {
            return new("Messages to you are written as files on our own servers; no mail relay receives them.", null, null, null, null, null, []);
        }

        var named = relay.Processor is { } processor
            ? $"{processor.Name} ({processor.ProcessorId}), a processor holding data in {processor.Location} under contract {processor.Contract.Reference} until {processor.Contract.ExpiresAt.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}"
            : $"{relay.ProcessorId ?? "an unnamed relay"}, not yet recorded in our processors registry";
        return new(
            $"Messages to you (your email address, your name, one-time codes and notices) pass through our mail relay: {named}.",
            relay.ProcessorId, relay.Processor?.Name, relay.Processor?.Location, relay.Processor?.Contract.Reference, relay.Processor?.Contract.ExpiresAt, s_carried);
    }
}
