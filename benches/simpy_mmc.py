#!/usr/bin/env python3
"""The M/M/c model of Faultline's benchmark, in SimPy 4, for comparison.

Poisson arrivals at rate rho * c / mean_service, exponential service of mean
`mean_service` (milliseconds), a `simpy.Resource` with capacity c and an
unbounded FIFO queue: the same model as the engine's
`scenario::generated::mmc(c, rho, mean_service, ...)`. Generates exactly
`--requests` customers, runs until every one has left, and prints one JSON
object: {"requests", "wall_s", "mean_latency"} with the mean time in system
in milliseconds (wait + service), plus the Erlang C value it should approach.

Usage: simpy_mmc.py --requests 200000 [--c 8] [--rho 0.9] [--mean-service 1.0] [--seed 42]
"""

import argparse
import json
import math
import random
import time

import simpy


def erlang_c_mean_time(c, rho, mean_service):
    """Mean time in an M/M/c system (wait + service), by Erlang's C formula."""
    a = rho * c
    below = sum(a**k / math.factorial(k) for k in range(c))
    top = a**c / math.factorial(c) / (1.0 - rho)
    wait_probability = top / (below + top)
    return mean_service * (1.0 + wait_probability / (c * (1.0 - rho)))


def run(requests, c, rho, mean_service, seed):
    env = simpy.Environment()
    servers = simpy.Resource(env, capacity=c)
    rng = random.Random(seed)
    arrival_rate = rho * c / mean_service  # per millisecond
    service_rate = 1.0 / mean_service
    stats = {"done": 0, "time_in_system": 0.0}

    def customer():
        arrived = env.now
        with servers.request() as turn:
            yield turn
            yield env.timeout(rng.expovariate(service_rate))
        stats["done"] += 1
        stats["time_in_system"] += env.now - arrived

    def source():
        for _ in range(requests):
            yield env.timeout(rng.expovariate(arrival_rate))
            env.process(customer())

    env.process(source())
    start = time.perf_counter()
    env.run()
    wall_s = time.perf_counter() - start
    done = stats["done"]
    return {
        "requests": done,
        "wall_s": wall_s,
        "mean_latency": stats["time_in_system"] / done if done else 0.0,
        "erlang_c_mean_latency": erlang_c_mean_time(c, rho, mean_service),
        "simpy": simpy.__version__,
    }


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--requests", type=int, default=200_000)
    p.add_argument("--c", type=int, default=8)
    p.add_argument("--rho", type=float, default=0.9)
    p.add_argument("--mean-service", type=float, default=1.0, help="milliseconds")
    p.add_argument("--seed", type=int, default=42)
    args = p.parse_args()
    if not 0.0 < args.rho < 1.0 or args.c < 1 or args.requests < 1:
        p.error("need 0 < rho < 1, c >= 1 and requests >= 1")
    print(json.dumps(run(args.requests, args.c, args.rho, args.mean_service, args.seed)))


if __name__ == "__main__":
    main()
