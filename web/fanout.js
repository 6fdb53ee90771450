// Fanout browser SDK. The full local-track and client API is being built; see docs/sdk.md.
const Fanout = Object.freeze({ VERSION: '0.1.0-SNAPSHOT' });
export default Fanout;
