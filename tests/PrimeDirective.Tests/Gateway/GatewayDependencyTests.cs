using System.Reflection;
using System.Reflection.Emit;
using PrimeDirective.Gateway.Hosting;
using PrimeDirective.Grains.Hosting;

namespace PrimeDirective.Tests.Gateway;

/// <summary>
/// The gateway depends on contracts: outside its co-hosting setup no gateway type references the
/// <c>PrimeDirective.Grains</c> assembly, in its signatures, attributes or method bodies (read from the IL).
/// </summary>
public sealed class GatewayDependencyTests
{
    private static readonly Assembly s_gateway = typeof(GatewayComposition).Assembly;
    private static readonly Assembly s_grains = typeof(SiloConfiguration).Assembly;

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
    private static IEnumerable<Type> Body(MethodBase method)
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
                    var member = method.Module.ResolveMember(BitConverter.ToInt32(il, offset), typeArguments, methodArguments);
                    foreach (var named in Named(member))
                    {
                        yield return named;
                    }

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
