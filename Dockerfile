# lrs-relay runs its TypeScript sources through tsx; no build step.
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY bin ./bin
COPY src ./src
COPY db ./db
COPY wsdl ./wsdl
USER node
ENTRYPOINT ["node", "bin/lrs-relay.js"]
CMD ["start", "--role", "all"]
