using System.Text;
using System.Text.Json;
using Orleans.Storage;

namespace PrimeDirective.Grains.Sealing;

/// <summary>
/// Seals a grain's state whole under its subject's data key before the inner storage sees it: the stored payload is the
/// JSON <c>{"sealed": base64}</c>. A payload written before sealing (plain JSON) still reads, and is sealed at its next
/// write. A state whose key was destroyed reads as absent: the subject was erased, and a write starts a new incarnation.
/// </summary>
public sealed class SealedGrainStorage(IGrainStorage inner, IGrainStorageSerializer serializer, Sealer sealer) : IGrainStorage
{
    /// <summary>The store name in a grain state's associated data.</summary>
    public const string Store = "grain-state";

    /// <summary>The one member of a sealed payload.</summary>
    public const string Member = "sealed";

    /// <summary>The associated data of the state of the grain keyed <paramref name="key"/>.</summary>
    public static SealContext ContextFor(string key) => new(Store, "payload", key, key);

    /// <summary>The stored payload of a state sealed as <paramref name="sealedValue"/>: <c>{"sealed": base64}</c>.</summary>
    public static byte[] Envelope(byte[] sealedValue) =>
        JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { [Member] = Convert.ToBase64String(sealedValue) });

    /// <inheritdoc/>
    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        var stored = new GrainState<JsonElement>();
        await inner.ReadStateAsync(stateName, grainId, stored);
        grainState.ETag = stored.ETag;
        if (!stored.RecordExists || stored.State.ValueKind != JsonValueKind.Object)
        {
            (grainState.State, grainState.RecordExists) = (Activator.CreateInstance<T>(), false);
            return;
        }

        byte[]? plain;
        if (stored.State.TryGetProperty(Member, out var sealedValue) && sealedValue.ValueKind == JsonValueKind.String)
        {
            plain = await sealer.OpenAsync(ContextFor(KeyOf(grainId)), sealedValue.GetBytesFromBase64());
        }
        else
        {
            // Written before sealing: readable as it is until its next write seals it.
            plain = Encoding.UTF8.GetBytes(stored.State.GetRawText());
        }

        (grainState.State, grainState.RecordExists) = plain is null
            ? (Activator.CreateInstance<T>(), false)
            : (serializer.Deserialize<T>(new BinaryData(plain)), true);
    }

    /// <inheritdoc/>
    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        var plain = serializer.Serialize(grainState.State);
        var sealedValue = await sealer.SealAsync(ContextFor(KeyOf(grainId)), plain.ToMemory());
        using var envelope = JsonDocument.Parse(Envelope(sealedValue));
        var stored = new GrainState<JsonElement>(envelope.RootElement.Clone(), grainState.ETag) { RecordExists = grainState.RecordExists };
        await inner.WriteStateAsync(stateName, grainId, stored);
        (grainState.ETag, grainState.RecordExists) = (stored.ETag, stored.RecordExists);
    }

    /// <inheritdoc/>
    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        var stored = new GrainState<JsonElement>(default, grainState.ETag) { RecordExists = grainState.RecordExists };
        await inner.ClearStateAsync(stateName, grainId, stored);
        (grainState.ETag, grainState.RecordExists, grainState.State) = (stored.ETag, stored.RecordExists, Activator.CreateInstance<T>());
    }

    private static string KeyOf(GrainId grainId) => grainId.Key.ToString() ?? throw new ArgumentException("The grain has no key.", nameof(grainId));
}
