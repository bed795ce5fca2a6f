using System.Reflection;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Options;
using PrimeDirective.Grains.Interfaces.Regions;
using PrimeDirective.Grains.Notices;
using PrimeDirective.Grains.Retention;

namespace PrimeDirective.Tests.Notices;

/// <summary>
/// A silo's copy of the policy schedule is read and replaced by every request's thread at once (issue 19, point 20): it
/// is one immutable snapshot behind a volatile reference, so a reader sees a whole schedule or none, never half of one.
/// A torn read of the earlier two-word struct was not reproducible on demand, so the shape that rules it out is checked.
/// </summary>
public sealed class PolicyScheduleTests
{
    [Fact]
    public void The_cached_schedule_is_an_immutable_snapshot_behind_a_volatile_reference()
    {
        var fields = typeof(PolicySchedule).GetFields(BindingFlags.Instance | BindingFlags.NonPublic)
            .Where(field => !field.Name.Contains("BackingField", StringComparison.Ordinal) && !IsConstructorParameter(field))
            .ToList();

        // The one mutable field: a reference (never a multi-word struct a reader could copy half-written), volatile.
        var cache = Assert.Single(fields);
        Assert.False(cache.FieldType.IsValueType, $"{cache.Name} is a {cache.FieldType}: a struct of several words can be read torn");
        Assert.Contains(typeof(IsVolatile), cache.GetRequiredCustomModifiers());

        // Its type holds only init-only members: replaced whole, never changed in place.
        var snapshot = cache.FieldType;
        Assert.All(snapshot.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic), field => Assert.True(field.IsInitOnly, field.Name));
    }

    private static bool IsConstructorParameter(FieldInfo field) =>
        field.FieldType == typeof(IGrainFactory) || field.FieldType == typeof(IOptions<RegionOptions>) || field.FieldType == typeof(PolicyClock);
}
