"""`make bench`: print the answer-engine table, then the platform throughput figures."""

from bench import answers

if __name__ == "__main__":
    print(answers.run())
