namespace Serve.Tests.Trust.Targets;

public interface ITwice
{
    int Twice(int value);
}
