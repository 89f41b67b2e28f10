using System.Text.Json.Serialization;
using Serve.Serialization;

namespace Serve.Tests.Serialization;

/// <summary>Which types go as JSON, and which would not come back whole: pure, no cluster.</summary>
public sealed class JsonFallbackTests
{
    [Theory]
    [InlineData(typeof(CountRequest))]
    [InlineData(typeof(CountResult))]
    [InlineData(typeof(Document))]
    [InlineData(typeof(Summary))]
    [InlineData(typeof(WithPublicField))]
    [InlineData(typeof(WithComputedProperty))]
    [InlineData(typeof(WithIgnoredState))]
    public void Accepts_PlainDataWithCollectionsAndNestedTypes_True(Type type)
    {
        Assert.Null(JsonFallback.Problem(type));
        Assert.True(JsonFallback.Accepts(type));
    }

    [Theory]
    [InlineData(typeof(string))]
    [InlineData(typeof(List<CountRequest>))]
    [InlineData(typeof(InvalidOperationException))]
    [InlineData(typeof(IWordCounter))]
    [InlineData(typeof(DeploymentId))]
    [InlineData(typeof(Generated))]
    public void IsEligible_PlatformAbstractExceptionOrGeneratedCodec_False(Type type) => Assert.False(JsonFallback.IsEligible(type));

    [Fact]
    public void Problem_PrivateField_NamesFieldAndFix()
    {
        var problem = JsonFallback.Problem(typeof(Opaque));

        Assert.StartsWith("Serve.Tests.Serialization.Opaque._secret (Opaque) is a field that is not public", problem);
        Assert.Contains("Fix: make it a public property with a setter (or a constructor parameter of its name), mark it [JsonInclude], or mark it [NonSerialized]", problem);
        Assert.False(JsonFallback.Accepts(typeof(Opaque)));
    }

    [Fact]
    public void Problem_GetOnlyAutoPropertyWithoutConstructorParameter_NamesProperty()
    {
        var problem = JsonFallback.Problem(typeof(WithGetOnly));

        Assert.StartsWith("Serve.Tests.Serialization.JsonFallbackTests+WithGetOnly.Items (WithGetOnly) has no public setter and no constructor parameter of its name", problem);
        Assert.Contains("Fix: give it a public set or init accessor", problem);
    }

    [Fact]
    public void Problem_PrivateSetter_NamesPropertyAndFix()
    {
        var problem = JsonFallback.Problem(typeof(WithPrivateSetter));

        Assert.StartsWith("Serve.Tests.Serialization.JsonFallbackTests+WithPrivateSetter.Count (WithPrivateSetter) has no public setter", problem);
    }

    [Fact]
    public void Problem_NestedMemberTypeThatCannotCross_NamesThePath()
    {
        var problem = JsonFallback.Problem(typeof(Holder));

        Assert.StartsWith("Serve.Tests.Serialization.Opaque._secret (Holder.Inner[]) is a field that is not public", problem);
    }

    [Fact]
    public void Problem_InterfaceMemberWithoutDerivedTypes_SaysJsonCannotChooseTheClass()
    {
        var problem = JsonFallback.Problem(typeof(WithInterfaceMember));

        Assert.Contains("(WithInterfaceMember.Shape) cannot be read back from JSON: it is an interface", problem);
        Assert.Contains("[JsonDerivedType]", problem);
    }

    [Fact]
    public void Problem_NoUsableConstructor_SaysSo()
    {
        var problem = JsonFallback.Problem(typeof(TwoConstructors));

        Assert.Contains("TwoConstructors cannot be read back from JSON", problem);
        Assert.Contains("[JsonConstructor]", problem);
    }

    public sealed class WithPublicField
    {
        public int Count;
        public List<string> Names = [];
    }

    public sealed class WithComputedProperty
    {
        public List<int> Items { get; set; } = [];

        public int Count => Items.Count;
    }

    public sealed class WithIgnoredState
    {
        [NonSerialized]
        private int _cache;

        public int Value { get; set; }

        [JsonIgnore]
        public int Derived { get; private set; }

        public int Touch() => _cache++ + Derived;
    }

    public sealed class WithGetOnly
    {
        public List<int> Items { get; } = [];
    }

    public sealed class WithPrivateSetter
    {
        public int Count { get; private set; }

        public void Add() => Count++;
    }

    public sealed record Holder(string Name, IReadOnlyList<Opaque> Inner);

    public interface IShape;

    public sealed record WithInterfaceMember(IShape Shape);

    public sealed class TwoConstructors
    {
        public TwoConstructors(int a) => A = a;

        public TwoConstructors(string a) => A = a.Length;

        public int A { get; }
    }

    [GenerateSerializer]
    public sealed class Generated
    {
        [Id(0)] public int A { get; set; }
    }
}
