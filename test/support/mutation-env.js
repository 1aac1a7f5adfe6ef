// Mutation runs only: fewer seeded property runs (the suites read PROPERTY_RUNS), unless the caller chose a number.
process.env.PROPERTY_RUNS = process.env.PROPERTY_RUNS || '25';
