using System.Text.Json;
using Orleans.Storage;

namespace PrimeDirective.Grains.Tests.ComponentFakes;

/// <summary>
/// A grain's persistent state in memory, stored as the JSON the real store keeps (so a re-read gives fresh objects). A
/// test can make the next write meet another activation's write: the other write is stored, and this one throws
/// <see cref="InconsistentStateException"/> as an ETag mismatch does.
/// </summary>
public sealed class MemoryState<T> : IPersistentState<T>
    where T : new()
{
    private static readonly JsonSerializerOptions s_json = new() { IncludeFields = false };

    private string? _stored;
    private int _version;
    private Action<T>? _otherWrite;

    public T State { get; set; } = new();

    public string? Etag => _stored is null ? null : _version.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public bool RecordExists => _stored is not null;

    /// <summary>Writes that reached storage (conflicts not counted).</summary>
    public int Writes { get; private set; }

    /// <summary>Writes refused with a conflict.</summary>
    public int Conflicts { get; private set; }

    /// <summary>The stored document, read fresh.</summary>
    public T Stored => _stored is null ? new() : JsonSerializer.Deserialize<T>(_stored, s_json)!;

    /// <summary>Stores <paramref name="state"/> as if written earlier, and reads it into <see cref="State"/>.</summary>
    public MemoryState<T> Seed(T state)
    {
        _stored = JsonSerializer.Serialize(state, s_json);
        _version++;
        State = Stored;
        return this;
    }

    /// <summary>The next write meets <paramref name="otherWrite"/>, applied by another activation to what is stored.</summary>
    public void ConflictOnNextWrite(Action<T> otherWrite) => _otherWrite = otherWrite;

    public Task ReadStateAsync()
    {
        State = Stored;
        return Task.CompletedTask;
    }

    public Task ReadStateAsync(CancellationToken cancellationToken) => ReadStateAsync();

    public Task WriteStateAsync()
    {
        if (_otherWrite is { } other)
        {
            _otherWrite = null;
            var theirs = Stored;
            other(theirs);
            _stored = JsonSerializer.Serialize(theirs, s_json);
            _version++;
            Conflicts++;
            throw new InconsistentStateException("ETag mismatch: another activation wrote first.");
        }

        _stored = JsonSerializer.Serialize(State, s_json);
        _version++;
        Writes++;
        return Task.CompletedTask;
    }

    public Task WriteStateAsync(CancellationToken cancellationToken) => WriteStateAsync();

    public Task ClearStateAsync()
    {
        _stored = null;
        _version++;
        Writes++;
        return Task.CompletedTask;
    }

    public Task ClearStateAsync(CancellationToken cancellationToken) => ClearStateAsync();
}
