namespace AutomationStack.Tracking;

/// <summary>
/// Minimum-cost assignment on a square cost matrix (Hungarian algorithm with potentials, O(n³)).
/// Buffers are allocated once for the largest size; <see cref="Solve"/> does not allocate.
/// </summary>
internal sealed class Hungarian
{
    private readonly int _capacity;
    private readonly double[] _u;
    private readonly double[] _v;
    private readonly double[] _minv;
    private readonly int[] _p;
    private readonly int[] _way;
    private readonly bool[] _used;

    public Hungarian(int capacity)
    {
        _capacity = capacity;
        _u = new double[capacity + 1];
        _v = new double[capacity + 1];
        _minv = new double[capacity + 1];
        _p = new int[capacity + 1];
        _way = new int[capacity + 1];
        _used = new bool[capacity + 1];
    }

    /// <summary>
    /// Solves the n×n problem in <paramref name="cost"/> (row-major, row stride n). On return
    /// rowToColumn[i] is the column assigned to row i.
    /// </summary>
    public void Solve(ReadOnlySpan<double> cost, int n, Span<int> rowToColumn)
    {
        if (n > _capacity)
        {
            throw new ArgumentOutOfRangeException(nameof(n), n, "Assignment larger than the configured capacity.");
        }

        Array.Clear(_u, 0, n + 1);
        Array.Clear(_v, 0, n + 1);
        Array.Clear(_p, 0, n + 1);
        Array.Clear(_way, 0, n + 1);
        for (var i = 1; i <= n; i++)
        {
            _p[0] = i;
            var j0 = 0;
            for (var j = 0; j <= n; j++)
            {
                _minv[j] = double.PositiveInfinity;
                _used[j] = false;
            }

            do
            {
                _used[j0] = true;
                var i0 = _p[j0];
                var delta = double.PositiveInfinity;
                var j1 = 0;
                for (var j = 1; j <= n; j++)
                {
                    if (_used[j])
                    {
                        continue;
                    }

                    var cur = cost[((i0 - 1) * n) + (j - 1)] - _u[i0] - _v[j];
                    if (cur < _minv[j])
                    {
                        _minv[j] = cur;
                        _way[j] = j0;
                    }

                    if (_minv[j] < delta)
                    {
                        delta = _minv[j];
                        j1 = j;
                    }
                }

                for (var j = 0; j <= n; j++)
                {
                    if (_used[j])
                    {
                        _u[_p[j]] += delta;
                        _v[j] -= delta;
                    }
                    else
                    {
                        _minv[j] -= delta;
                    }
                }

                j0 = j1;
            }
            while (_p[j0] != 0);

            do
            {
                var j1 = _way[j0];
                _p[j0] = _p[j1];
                j0 = j1;
            }
            while (j0 != 0);
        }

        for (var j = 1; j <= n; j++)
        {
            if (_p[j] != 0)
            {
                rowToColumn[_p[j] - 1] = j - 1;
            }
        }
    }
}
