using System.Text.Json;
using Orleans.Storage;
using PrimeDirective.Grains.Storage;

namespace PrimeDirective.Grains.Tests.Storage;

/// <summary>
/// A grain's persistent state kept as JSON in memory, as the region's database keeps it: a write with a stale ETag throws
/// <see cref="InconsistentStateException"/>. <see cref="ChangeElsewhere"/> plays another activation writing meanwhile;
/// <see cref="ConflictOnNextWrite"/> makes that happen just before this activation's next write, so that the write conflicts.
/// </summary>
public sealed class ConflictingState<T> : IPersistentState<T>
    where T : new()
{
    private string? _stored;
    private int _version;
    private Action<T>? _beforeNextWrite;

    public T State { get; set; } = new();

    public string? Etag { get; private set; }

    public bool RecordExists { get; private set; }

    /// <summary>Writes that reached storage (conflicting ones not counted).</summary>
    public int Writes { get; private set; }

    /// <summary>Writes refused for a stale ETag.</summary>
    public int Conflicts { get; private set; }

    /// <summary>What is stored now, read afresh.</summary>
    public T Stored => _stored is null ? new T() : JsonSerializer.Deserialize<T>(_stored)!;

    /// <summary>Another activation reads, changes and writes the stored document.</summary>
    public void ChangeElsewhere(Action<T> change)
    {
        ArgumentNullException.ThrowIfNull(change);
        var other = Stored;
        change(other);
        _stored = JsonSerializer.Serialize(other);
        _version++;
    }

    /// <summary>Just before this activation's next write, another one writes <paramref name="change"/>: that write conflicts.</summary>
    public void ConflictOnNextWrite(Action<T> change) => _beforeNextWrite = change;

    /// <summary>A subject document over this state, with the policy's time from <paramref name="time"/>; counts unknown outcomes.</summary>
    public SubjectDocument<T> Document(TimeProvider time) => new(this, time, () => throw new InvalidOperationException("a write's outcome was unknown"));

    public Task ReadStateAsync()
    {
        State = Stored;
        Etag = _stored is null ? null : _version.ToString(System.Globalization.CultureInfo.InvariantCulture);
        RecordExists = _stored is not null;
        return Task.CompletedTask;
    }

    public Task WriteStateAsync()
    {
        if (Interlocked.Exchange(ref _beforeNextWrite, null) is { } elsewhere)
        {
            ChangeElsewhere(elsewhere);
        }

        var current = _stored is null ? null : _version.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (Etag != current)
        {
            Conflicts++;
            throw new InconsistentStateException("stale ETag", Etag, current);
        }

        _stored = JsonSerializer.Serialize(State);
        _version++;
        Writes++;
        (Etag, RecordExists) = (_version.ToString(System.Globalization.CultureInfo.InvariantCulture), true);
        return Task.CompletedTask;
    }

    public Task ClearStateAsync()
    {
        var current = _stored is null ? null : _version.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (Etag != current)
        {
            Conflicts++;
            throw new InconsistentStateException("stale ETag", Etag, current);
        }

        (_stored, Etag, RecordExists) = (null, null, false);
        _version++;
        return Task.CompletedTask;
    }
}
