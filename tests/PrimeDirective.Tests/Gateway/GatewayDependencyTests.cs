using System.Reflection;
using System.Reflection.Emit;
using Orleans.Concurrency;
using PrimeDirective.Gateway.Hosting;
using PrimeDirective.Grains.Hosting;

namespace PrimeDirective.Tests.Gateway;

/// <summary>
/// The gateway depends on contracts: outside its co-hosting setup no gateway type references the
/// <c>PrimeDirective.Grains</c> assembly, in its signatures, attributes or method bodies (read from the IL). And its
/// pages and endpoints write to grains only through the application layer's desks.
/// </summary>
public sealed class GatewayDependencyTests
{
    private static readonly Assembly s_gateway = typeof(GatewayComposition).Assembly;
    private static readonly Assembly s_grains = typeof(SiloConfiguration).Assembly;
    private static readonly Assembly s_contracts = typeof(PrimeDirective.Grains.Interfaces.Privacy.WireNames).Assembly;

    private static readonly Dictionary<short, OpCode> s_opCodes = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(field => (OpCode)field.GetValue(null)!)
        .ToDictionary(code => code.Value);

    [Fact]
    public void Only_the_co_hosting_setup_references_the_grains_assembly()
    {
        var referencing = s_gateway.GetTypes()
            .Where(type => References(type).Any(IsFromGrains))
            .Select(Outermost)
            .Select(type => type.FullName)
            .Distinct()
            .Order(StringComparer.Ordinal)
            .ToList();

        // The co-hosting setup must be found (it calls the silo configuration): the check sees what it looks for.
        Assert.Equal(["PrimeDirective.Gateway.Hosting.GatewayOrleans"], referencing);
    }

    /// <summary>
    /// Gateway types that may write to grains besides the desks, none of them a page or an endpoint: authentication
    /// (a token's use of the policy version), session end (sign-out, erasure) and the GPC middleware's consent withdrawal.
    /// </summary>
    private static readonly string[] s_writersBesidesDesks =
    [
        "PrimeDirective.Gateway.Auth.GatewayAuth",
        "PrimeDirective.Gateway.PrivacyCenter.PrivacySessions",
        "PrimeDirective.Gateway.Tracking.GpcConsent",
    ];

    [Fact]
    public void Pages_and_endpoints_write_to_grains_only_through_the_application_layer()
    {
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        var writers = s_gateway.GetTypes()
            .Where(type => type.GetMethods(all).Cast<MethodBase>().Concat(type.GetConstructors(all))
                .SelectMany(Members).OfType<MethodInfo>().Any(IsGrainWrite))
            .Select(Outermost)
            .Select(type => type.FullName!)
            .Distinct()
            .Order(StringComparer.Ordinal)
            .ToList();

        // Nobody but the desks writes, and the desks are found writing (the check sees what it looks for).
        var direct = writers.Where(writer => !writer.EndsWith("Desk", StringComparison.Ordinal) && !s_writersBesidesDesks.Contains(writer)).ToList();
        Assert.True(direct.Count == 0, $"These call a grain's write directly instead of going through a desk: {string.Join(", ", direct)}");
        Assert.Contains("PrimeDirective.Gateway.Admin.LegalHoldDesk", writers);
        Assert.Contains("PrimeDirective.Gateway.Users.MeDesk", writers);
    }

    /// <summary>A call to a method of one of our grain interfaces that is not <c>[ReadOnly]</c>.</summary>
    private static bool IsGrainWrite(MethodInfo method) =>
        method.DeclaringType is { IsInterface: true } declaring && declaring.Assembly == s_contracts && declaring.IsAssignableTo(typeof(IAddressable)) &&
        method.GetCustomAttribute<ReadOnlyAttribute>() is null;

    private static Type Outermost(Type type) => type.DeclaringType is { } declaring ? Outermost(declaring) : type;

    private static bool IsFromGrains(Type type) =>
        type.Assembly == s_grains ||
        (type.HasElementType && IsFromGrains(type.GetElementType()!)) ||
        (type.IsGenericType && !type.IsGenericTypeDefinition && type.GetGenericArguments().Any(IsFromGrains));

    /// <summary>Every type <paramref name="type"/> names: base, interfaces, members' signatures, attributes, and what its method bodies touch.</summary>
    private static IEnumerable<Type> References(Type type)
    {
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        IEnumerable<Type> found = [.. type.GetInterfaces(), .. Attributes(type.GetCustomAttributesData())];
        if (type.BaseType is { } baseType)
        {
            found = found.Append(baseType);
        }

        found = found.Concat(type.GetFields(all).SelectMany(field => Attributes(field.GetCustomAttributesData()).Append(field.FieldType)));
        found = found.Concat(type.GetProperties(all).SelectMany(property => Attributes(property.GetCustomAttributesData()).Append(property.PropertyType)));
        foreach (var method in type.GetMethods(all).Cast<MethodBase>().Concat(type.GetConstructors(all)))
        {
            found = found.Concat(method.GetParameters().Select(parameter => parameter.ParameterType))
                .Concat(Attributes(method.GetCustomAttributesData()))
                .Concat(Body(method));
            if (method is MethodInfo info)
            {
                found = found.Append(info.ReturnType);
            }
        }

        return found;
    }

    private static IEnumerable<Type> Attributes(IEnumerable<CustomAttributeData> attributes) =>
        attributes.SelectMany(attribute => attribute.ConstructorArguments.Select(argument => argument.Value).OfType<Type>().Append(attribute.AttributeType));

    /// <summary>The types that a method body's instructions name: calls, field accesses, allocations, casts, tokens.</summary>
    private static IEnumerable<Type> Body(MethodBase method) => Members(method).SelectMany(Named);

    /// <summary>The members a method body's instructions name (read from its IL).</summary>
    private static IEnumerable<MemberInfo?> Members(MethodBase method)
    {
        var il = method.GetMethodBody()?.GetILAsByteArray() ?? [];
        var typeArguments = method.DeclaringType?.IsGenericType == true ? method.DeclaringType.GetGenericArguments() : null;
        var methodArguments = method.IsGenericMethod ? method.GetGenericArguments() : null;
        for (var offset = 0; offset < il.Length;)
        {
            var code = il[offset] == 0xFE ? s_opCodes[(short)(0xFE00 | il[offset + 1])] : s_opCodes[il[offset]];
            offset += code.Size;
            switch (code.OperandType)
            {
                case OperandType.InlineMethod or OperandType.InlineField or OperandType.InlineType or OperandType.InlineTok:
                    yield return method.Module.ResolveMember(BitConverter.ToInt32(il, offset), typeArguments, methodArguments);

                    offset += 4;
                    break;
                case OperandType.InlineSwitch:
                    offset += 4 + (4 * BitConverter.ToInt32(il, offset));
                    break;
                case OperandType.InlineI8 or OperandType.InlineR:
                    offset += 8;
                    break;
                case OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar:
                    offset += 1;
                    break;
                case OperandType.InlineVar:
                    offset += 2;
                    break;
                case OperandType.InlineNone:
                    break;
                default:
                    offset += 4;
                    break;
            }
        }
    }

    private static IEnumerable<Type> Named(MemberInfo? member) => member switch
    {
        Type type => [type],
        FieldInfo field => [field.DeclaringType!, field.FieldType],
        MethodInfo method => [method.DeclaringType!, method.ReturnType, .. method.GetParameters().Select(parameter => parameter.ParameterType), .. method.IsGenericMethod ? method.GetGenericArguments() : []],
        ConstructorInfo constructor => [constructor.DeclaringType!, .. constructor.GetParameters().Select(parameter => parameter.ParameterType)],
        _ => [],
    };
}
